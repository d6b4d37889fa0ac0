// The throwaway test-bed servers a run needs (scripts/testbed/): Prosody with mod_ipcheck, and
// ejabberd with mod_sic when a chosen section compares both. Registered for cleanup once up.
import { ejabberdUnavailable, prosodyUnavailable, startEjabberd, startProsody, type OwnedXmppServer } from "../../testbed/index";
import { PASSWORD, USER, progress } from "./config";
import { launch } from "./owned";

export interface RunServers {
  prosody: OwnedXmppServer | undefined;
  ejabberd: OwnedXmppServer | undefined;
  /** Lines for the report: rows that could not be measured, and why. */
  skipped: string[];
}

export async function startServers(needs: { prosody: boolean; ejabberd: boolean }): Promise<RunServers> {
  const skipped: string[] = [];
  if (!needs.prosody) return { prosody: undefined, ejabberd: undefined, skipped };
  const why = prosodyUnavailable();
  if (why) throw new Error(`${why}; run sudo bash scripts/install-system-deps.sh`);
  const users = [{ user: USER, password: PASSWORD }];
  const ejabberdWhy = needs.ejabberd ? ejabberdUnavailable() : "not needed";
  if (ejabberdWhy && needs.ejabberd) skipped.push(`ejabberd rows: ${ejabberdWhy}`);
  progress(`starting Prosody${ejabberdWhy ? "" : " and ejabberd"} …`);
  const [p, e] = await Promise.allSettled([launch(() => startProsody({ users })), ...(ejabberdWhy ? [] : [launch(() => startEjabberd({ users }))])]);
  if (p.status === "rejected") throw p.reason;
  const prosody = p.value;
  let ejabberd: OwnedXmppServer | undefined;
  if (e?.status === "rejected") {
    const reason = e.reason instanceof Error ? e.reason.message.split("\n")[0] : String(e.reason);
    skipped.push(`ejabberd rows: ejabberd did not start: ${reason}`);
    progress(`ejabberd did not start, its rows are skipped: ${reason}`);
  } else if (e) {
    ejabberd = e.value;
  }
  progress(`Prosody STARTTLS ${prosody.starttlsPort} / direct ${prosody.directTlsPort}${ejabberd ? `; ejabberd STARTTLS ${ejabberd.starttlsPort} / direct ${ejabberd.directTlsPort}` : ""}`);
  return { prosody, ejabberd, skipped };
}
