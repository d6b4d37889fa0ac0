// Text a server wrote (STUN reason phrases and SOFTWARE, XEP-0215 names) made safe to show:
// control and bidi characters replaced, clipped. To merge into src/core/text.ts when that exists.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function serverText(text: string, max = 120): string {
  // coturn ends its reason phrases with a NUL: C string habits, not content.
  const clean = text.replace(/\0+$/, "").replace(UNSAFE, "\uFFFD");
  return clean.length > max ? clean.slice(0, max) + "…" : clean;
}
