// What a step-by-step connection learned about a server, so that later connections can send the
// next steps without waiting to be told what is already known (the four waits of RFC 6120's
// negotiation that the data does not require: features before <starttls/>, the mechanism list
// before <auth>, features before bind, the bind result before the query). Each pipelined stage
// still checks that the server's features are the ones remembered; any surprise drops the entry.
import type { Element } from "@xmpp/xml";
import type { TlsMode } from "./account";
import { MECHANISM_PREFERENCE } from "./sasl";
import { NS_SIC_0, NS_SIC_1, type SicQuery } from "./sic";

export interface ServerProfile {
  /** Feature signatures at each stage of the negotiation. */
  plainFeatures: string | null;
  secureFeatures: string;
  boundFeatures: string;
  mechanism: string;
  sessionRequired: boolean;
  /** The server's disco#info features, so the address query can go without asking again. */
  discoFeatures: string[];
  /** The query shape that answered last time. */
  query: SicQuery;
}

export function profileKey(parts: { domain: string; host: string; port: number; tls: TlsMode }): string {
  return `${parts.tls}|${parts.domain.toLowerCase()}|${parts.host.toLowerCase()}|${parts.port}`;
}

/** A stable description of a <stream:features>: each feature's name and namespace, plus the mechanism list. */
export function featureSignature(features: Element): string {
  return features
    .getChildElements()
    .map((f) => {
      const mechanisms = f.name === "mechanisms" ? `[${f.getChildren("mechanism").map((m) => m.text().trim()).sort().join(",")}]` : "";
      return `${f.attrs.xmlns ?? ""}#${f.name}${mechanisms}`;
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
