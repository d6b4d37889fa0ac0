// Prosody that announces STUN/TURN (mod_turn_external) for a coturn on loopback: the bench's
// Prosody announces none, so without this the UDP rows would have ejabberd only. Both are stopped
// by the caller (or, on a signal, by cleanup() and the exit handler).
import { coturnUnavailable, startCoturn } from "../../testbed/coturn";
import { startProsody } from "../../testbed/index";
import { PASSWORD, USER, progress } from "./config";
import type { NamedServer } from "./inProcess";
import { launch } from "./owned";

export async function withTurnProsody<T>(body: (target: NamedServer) => Promise<T>): Promise<T | { skipped: string }> {
  const why = coturnUnavailable();
  if (why) return { skipped: `Prosody + coturn rows: ${why}` };
  progress("starting coturn and a Prosody that announces it (mod_turn_external) …");
  const coturn = await startCoturn();
  const kill = () => coturn.kill();
  process.once("exit", kill);
  try {
    const server = await launch(() => startProsody({ users: [{ user: USER, password: PASSWORD }], turn: { secret: coturn.secret, host: coturn.ips[0], port: coturn.port } }));
    try {
      return await body({ name: "Prosody + coturn", server });
    } finally {
      await server.stop();
    }
  } finally {
    await coturn.stop();
    process.off("exit", kill);
  }
}
