// The core's public surface, for the CLI and the VS Code shell. Nothing here imports `vscode`.
export { check, checkAndKeepOpen, DEFAULT_TIMEOUT_MS, type CheckOptions, type CheckResult, type LiveCheck } from "./check";
export { SicError, ERROR_CODES, ERROR_HINTS, isSicError, type ErrorCode, type ErrorReason } from "./errors";
export { CODE_ADVICE, errorSentence, reasonAdvice, type ErrorFacts, type FrontEnd } from "./advice";
export { validateAccount, validateJid, type AccountSettings, type TlsMode, TLS_MODES } from "./account";
export { natHint, type NatHint, type NatVerdict } from "./nat";
export { StanzaLog, type StanzaLogEntry } from "./stanzaLog";
export { scrubSecrets } from "./redact";
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
export { ProfileCache, type ServerProfile } from "./serverProfile";
