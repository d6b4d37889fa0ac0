// The core's public surface, for the CLI and the VS Code shell. Nothing here imports `vscode`.
export {
  check,
  checkAndKeepOpen,
  DEFAULT_TIMEOUT_MS,
  UDP_CHOICES,
  type CheckOptions,
  type CheckResult,
  type LiveCheck,
  type UdpChoice,
} from "./check";
export { gatherFromServer, type CandidatesOptions, type CandidatesResult } from "./candidatesCheck";
export type { Candidate } from "./candidates/gather";
export { candidateJson, candidatesOfCheck, type FromCheckOptions } from "./candidates/fromCheck";
export { localInterfaceAddresses } from "./check";
export { iceCredentials, iceUdpTransport, NS_ICE_UDP, NS_S5B, s5bTransport } from "./candidates/jingle";
export { probeUdp, UDP_BUDGET_MS, type UdpBinding, type UdpPicture } from "./udpPicture";
export { SicError, ERROR_CODES, ERROR_HINTS, isSicError, type ErrorCode, type ErrorReason } from "./errors";
export { checkCaPem } from "./tls";
export { CODE_ADVICE, errorSentence, reasonAdvice, type ErrorFacts, type FrontEnd } from "./advice";
export { validateAccount, validateJid, type AccountSettings, type TlsMode, TLS_MODES } from "./account";
export { natHint, type NatHint, type NatVerdict } from "./nat";
export { StanzaLog, type StanzaLogEntry } from "./stanzaLog";
export { scrubSecrets } from "./redact";
export { hasUnsafeChar, jsonSafe, neutralise, quoted } from "./text";
export { NS_SIC_0, NS_SIC_1, type Protocol } from "./sic";
export { prettyXml } from "./prettyXml";
export { exportLogXml } from "./logExport";
export type { StanzaKind } from "./stanzaLog";
export {
  checkFamilies,
  FAMILY_CHOICES,
  validateFamilyChoice,
  type FamiliesOptions,
  type FamiliesResult,
  type FamilyChoice,
  type FamilyOutcome,
} from "./families";
export {
  dnsResolver,
  resolveTargets,
  systemResolver,
  type Address,
  type FoundBy,
  type Resolver,
  type SrvRecord,
  type Target,
} from "./resolve";
export type { Family } from "./ip";
export { ProfileCache, type ServerProfile } from "./session/serverProfile";
// The session layer, for clients that ask other questions than check()'s (see session/question.ts).
export { runSession, runAndKeep, type SessionRun } from "./session/run";
export type { KeptSession } from "./session/kept";
export type { Asked, AskContext, Features, Planner, Question, QuestionSet, StartContext } from "./session/question";
export type { SessionOptions } from "./session/options";
export { discoPlanner } from "./questions/disco";
export { sicQuestion, type SicFound } from "./questions/sic";
export { extdiscoQuestion, noStunError, type ExtdiscoFound } from "./questions/extdisco";
export * from "./console";
