// What a person types for a server and a file, read the way they meant it: "host:port" split in
// two, "~/" as their home. No vscode import: unit-tested on its own; the extension passes
// vscode.l10n for its sentences, the tests the plain English one.
import { homedir } from "node:os";
import { validatePort } from "../core/account";
import { SicError } from "../core";

/** vscode.l10n's shape, as far as this file needs it. */
export interface Localizer {
  t(message: string, ...args: Array<string | number | boolean>): string;
}

/** The messages as written ({0} filled in), for callers without vscode. */
export const ENGLISH: Localizer = { t: (message, ...args) => message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) };

/** The message of the SicError `validate` throws, or undefined when it passes. */
export function problem(validate: () => unknown): string | undefined {
  try {
    validate();
    return undefined;
  } catch (err) {
    return err instanceof SicError ? err.message : String(err);
  }
}

export function expandHome(path: string): string {
  const p = path.trim();
  return p === "~" || p.startsWith("~/") ? homedir() + p.slice(1) : p;
}

/** "host:port" or "[v6]:port" split in two; a bare host (an IPv6 address included) as it is. */
export function splitHostPort(text: string, l10n: Localizer = ENGLISH): { host: string; port?: number } | string {
  const v = text.trim();
  if (/\s|\//.test(v)) return l10n.t("A host name or IP address has no spaces or slashes.");
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(v);
  // One colon: host and port; more: a bare IPv6 address.
  const single = /^([^:]+):([^:]*)$/.exec(v);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : single ? [single[1]!, single[2]] : [v, undefined];
  if (port === undefined) return { host };
  const bad = problem(() => validatePort(port));
  return bad ? l10n.t("After the colon comes the port: {0}", bad) : { host, port: validatePort(port) };
}

