// What a step-by-step connection learned about a server, so that later connections can send the
// next steps without waiting to be told what is already known (the four waits of RFC 6120's
// negotiation that the data does not require: features before <starttls/>, the mechanism list
// before <auth>, features before bind, the bind result before the query). Each pipelined stage
// still checks that the server's features are the ones remembered; any surprise drops the entry.
import type { Element } from "@xmpp/xml";
import type { TlsMode } from "./account";
import { NS_SASL2 } from "./redact";
import { MECHANISM_PREFERENCE } from "./sasl";
import { NS_SIC_0, NS_SIC_1, type SicQuery } from "./sic";

export interface ServerProfile {
  /** Feature signatures at each stage of the negotiation. */
  plainFeatures: string | null;
  secureFeatures: string;
  boundFeatures: string;
  mechanism: string;
  /**
   * How the login went: SASL2 (XEP-0388) with Bind 2 inlined (XEP-0386), which binds in the same
   * exchange and needs no stream restart; or RFC 6120 SASL then bind (the default when absent,
   * as in profiles saved before SASL2 was supported).
   */
  login?: "sasl" | "sasl2-bind2";
  sessionRequired: boolean;
  /** The server's disco#info features, so the address query can go without asking again. */
  discoFeatures: string[];
  /** The query shape that answered last time. */
  query: SicQuery;
}

export function profileKey(parts: { domain: string; host: string; port: number; tls: TlsMode }): string {
  return `${parts.tls}|${parts.domain.toLowerCase()}|${parts.host.toLowerCase()}|${parts.port}`;
}

/**
 * A stable description of a <stream:features>: each feature's name and namespace, plus the mechanism
 * list (SASL's, and SASL2's with the features it can inline).
 */
export function featureSignature(features: Element): string {
  const names = (els: Element[]) => els.map((m) => m.text().trim()).sort().join(",");
  return features
    .getChildElements()
    .map((f) => {
      let detail = "";
      if (f.name === "mechanisms") detail = `[${names(f.getChildren("mechanism"))}]`;
      if (f.name === "authentication" && f.attrs.xmlns === NS_SASL2) {
        const inline = f.getChild("inline")?.getChildElements().map((i) => `${i.attrs.xmlns ?? ""}#${i.name}`).sort().join(",") ?? "";
        detail = `[${names(f.getChildren("mechanism"))};inline:${inline}]`;
      }
      return `${f.attrs.xmlns ?? ""}#${f.name}${detail}`;
    })
    .sort()
    .join(" ");
}

export class ProfileCache {
  private readonly profiles = new Map<string, ServerProfile>();

  constructor(private readonly capacity = 64) {}

  get(key: string): ServerProfile | undefined {
    return this.profiles.get(key);
  }

  set(key: string, profile: ServerProfile): void {
    this.profiles.delete(key);
    if (this.profiles.size >= this.capacity) this.profiles.delete(this.profiles.keys().next().value!);
    this.profiles.set(key, profile);
  }

  drop(key: string): void {
    this.profiles.delete(key);
  }

  clear(): void {
    this.profiles.clear();
  }

  /** For saving between processes (the CLI): nothing in a profile is secret. */
  toJSON(): Record<string, ServerProfile> {
    return Object.fromEntries(this.profiles);
  }

  /** Restores saved profiles, skipping any entry that is not exactly a profile (the file is not trusted). */
  load(saved: unknown): void {
    if (typeof saved !== "object" || saved === null) return;
    for (const [key, value] of Object.entries(saved)) {
      if (isProfile(value)) this.set(key, value);
    }
  }
}

function isProfile(v: unknown): v is ServerProfile {
  if (typeof v !== "object" || v === null) return false;
  const p = v as Record<string, unknown>;
  const str = (x: unknown) => typeof x === "string" && x.length < 4096;
  const query = p.query as Record<string, unknown> | undefined;
  return (
    (p.plainFeatures === null || str(p.plainFeatures)) &&
    str(p.secureFeatures) &&
    str(p.boundFeatures) &&
    (MECHANISM_PREFERENCE as readonly unknown[]).includes(p.mechanism) &&
    (p.login === undefined || p.login === "sasl" || p.login === "sasl2-bind2") &&
    typeof p.sessionRequired === "boolean" &&
    Array.isArray(p.discoFeatures) &&
    p.discoFeatures.length < 1000 &&
    p.discoFeatures.every(str) &&
    typeof query === "object" &&
    query !== null &&
    (query.namespace === NS_SIC_1 || query.namespace === NS_SIC_0) &&
    (query.element === "address" || query.element === "ip")
  );
}
