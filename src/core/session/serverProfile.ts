// What a step-by-step session learned about a server, so that later sessions can send the next
// steps without waiting to be told what is already known (the four waits of RFC 6120's
// negotiation that the data does not require: features before <starttls/>, the mechanism list
// before <auth>, features before bind, the bind result before the questions). Each pipelined stage
// still checks that the server's features are the ones remembered; any surprise drops the entry.
//
// A profile has two halves: the negotiation's (feature signatures, mechanism, login), checked
// here, and what each question remembered (`answers`, keyed by the question), which each question
// checks itself before use (see question.ts). Nothing in a profile is secret.
import type { Element } from "@xmpp/xml";
import type { TlsMode } from "../account";
import { NS_SASL2 } from "../redact";
import { MECHANISM_PREFERENCE } from "../sasl";

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
  /** What each question remembered of this server, under its key (Question.key, Planner.key). */
  answers: Record<string, unknown>;
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

  /** For saving between processes (the CLI, the extension's globalState): nothing in a profile is secret. */
  toJSON(): Record<string, ServerProfile> {
    return Object.fromEntries(this.profiles);
  }

  /**
   * Restores saved profiles, skipping any entry that is not exactly a profile (the file is not
   * trusted); profiles saved by version 1 are converted.
   */
  load(saved: unknown): void {
    if (typeof saved !== "object" || saved === null) return;
    for (const [key, value] of Object.entries(saved)) {
      const profile = upgradeVersion1(value);
      if (isProfile(profile)) this.set(key, profile);
    }
  }
}

/**
 * Version 1 kept the two things its one check remembered at the top level: disco#info's features
 * and the XEP-0279 query that answered. They become the entries of the questions that now
 * remember them (questions/disco.ts, questions/sic.ts), which check them as they check their own.
 */
const VERSION_1_ANSWERS = { discoFeatures: "disco#info", query: "sic" } as const;

function upgradeVersion1(value: unknown): unknown {
  if (typeof value !== "object" || value === null || "answers" in value) return value;
  const { discoFeatures, query, ...negotiation } = value as Record<string, unknown>;
  if (discoFeatures === undefined || query === undefined) return value;
  return { ...negotiation, answers: { [VERSION_1_ANSWERS.discoFeatures]: discoFeatures, [VERSION_1_ANSWERS.query]: query } };
}

const MAX_ANSWERS = 32;
/** Room for a few questions' entries; a disco#info list of a thousand features is ~50 kB. */
const MAX_ANSWERS_CHARS = 256 * 1024;

function isProfile(v: unknown): v is ServerProfile {
  if (typeof v !== "object" || v === null) return false;
  const p = v as Record<string, unknown>;
  const str = (x: unknown) => typeof x === "string" && x.length < 4096;
  return (
    (p.plainFeatures === null || str(p.plainFeatures)) &&
    str(p.secureFeatures) &&
    str(p.boundFeatures) &&
    (MECHANISM_PREFERENCE as readonly unknown[]).includes(p.mechanism) &&
    (p.login === undefined || p.login === "sasl" || p.login === "sasl2-bind2") &&
    typeof p.sessionRequired === "boolean" &&
    isAnswers(p.answers)
  );
}

function isAnswers(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  if (Object.keys(v).length > MAX_ANSWERS) return false;
  try {
    return JSON.stringify(v).length <= MAX_ANSWERS_CHARS;
  } catch {
    return false;
  }
}
