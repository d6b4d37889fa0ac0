// The check's connection options, as a live session takes them (send and console share this).
import type { StanzaLog } from "../../core";
import type { LiveSessionOptions } from "../../core/console";
import type { ConsoleCommand, SendCommand } from "../args";
import { loadProfiles, profileFile } from "../profileStore";

export const DEFAULT_REPLY_WAIT_MS = 15_000;

export function connectionOptions(command: SendCommand | ConsoleCommand, password: string, log: StanzaLog, signal: AbortSignal): LiveSessionOptions {
  const replyDeadlineMs = command.timeoutMs ?? DEFAULT_REPLY_WAIT_MS;
  return {
    jid: command.jid,
    password,
    ...(command.host !== undefined ? { host: command.host } : {}),
    ...(command.port !== undefined ? { port: command.port } : {}),
    ...(command.tls !== undefined ? { tls: command.tls } : {}),
    ...(command.family === "ipv4" ? { family: "IPv4" as const } : command.family === "ipv6" ? { family: "IPv6" as const } : {}),
    ...(command.caFile !== undefined ? { caFile: command.caFile } : {}),
    ...(command.fingerprint !== undefined ? { fingerprint: command.fingerprint } : {}),
    timeoutMs: replyDeadlineMs,
    replyDeadlineMs,
    signal,
    log,
    // Known servers log in pipelined; a console learns nothing, so the cache is only read.
    profiles: command.stepByStep ? null : loadProfiles(profileFile()),
    presence: command.presence,
  };
}
