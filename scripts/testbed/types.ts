// What a test sees of a test-bed server, whichever implementation runs it.
import type { Certs } from "./certs";

export type ServerKind = "prosody" | "ejabberd";

export interface Account {
  user: string;
  password: string;
}

/** What every instance description has; see ServerInfo. */
export interface CommonInfo {
  kind: ServerKind;
  /** The XMPP domain, "localhost" unless asked otherwise. */
  domain: string;
  /** c2s with STARTTLS (required), on 127.0.0.1 and ::1. */
  starttlsPort: number;
  /** XEP-0368 direct TLS c2s, on 127.0.0.1 and ::1. */
  directTlsPort: number;
  certs: Certs;
  users: Account[];
  /** The instance's temp dir, removed when the instance stops. */
  dir: string;
  /** The server's own log, at debug level. */
  logFile: string;
  /** The XEP-0065 SOCKS5 proxy: its JID (an item of the domain) and the streamhost it announces (127.0.0.1). */
  proxy65?: { jid: string; host: string; port: number };
}

export interface ProsodyInfo extends CommonInfo {
  kind: "prosody";
  configFile: string;
}

export interface EjabberdInfo extends CommonInfo {
  kind: "ejabberd";
  /** Erlang node name, needed by ejabberdctl. */
  node: string;
  /** ejabberd_stun (STUN/TURN) on 127.0.0.1, UDP and TCP, announced by mod_stun_disco (XEP-0215). */
  stunPort?: number;
}

/** The JSON-serialisable description of a running instance, enough to attach to it. */
export type ServerInfo = ProsodyInfo | EjabberdInfo;

export interface XmppServer extends CommonInfo {
  /** For another process: pass it to attach() (index.ts). */
  describe(): ServerInfo;
  /** The server log as it is now. */
  logText(): string;
  addUser(user: string, password: string): Promise<void>;
  /** Stops the server and removes its temp dir; a no-op for an instance shared by the runner. */
  stop(): Promise<void>;
}

/** An instance this process started and therefore controls. */
export interface OwnedXmppServer extends XmppServer {
  /** Stops the server process and starts it again on the same ports, with the same data. */
  restart(): Promise<void>;
  /** Synchronous last resort for process 'exit' handlers: SIGKILL the server, remove its dir. */
  kill(): void;
}
