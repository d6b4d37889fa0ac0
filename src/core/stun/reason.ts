// Text a STUN server wrote (a reason phrase, SOFTWARE) as our messages quote it: through text.ts,
// the one neutraliser. coturn ends its reason phrases with a NUL (a C string habit, not content).
import { quoted } from "../text";

/** How much of a STUN server's text a message or result shows. */
export const STUN_TEXT_MAX = 120;

export function stunText(text: string): string {
  return quoted(text.replace(/\0+$/, ""), STUN_TEXT_MAX);
}
