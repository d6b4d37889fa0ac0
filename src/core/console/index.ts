// The XML console's pure parts, for the live session, the CLI (send, console) and the extension.
export {
  compose,
  ComposeError,
  DEFAULT_COMPOSE_LIMITS,
  type ComposedStanza,
  type ComposeLimits,
  type ComposeOptions,
  type ComposeResult,
  type ComposeRule,
  type StanzaName,
} from "./compose";
export { positionAt, type SourcePosition } from "./position";
export { REFUSED_NAMESPACES, type Refusal } from "./refusals";
export {
  DEFAULT_MAX_PENDING,
  DEFAULT_REPLY_DEADLINE_MS,
  IqPairing,
  isReplySender,
  systemClock,
  type Clock,
  type OwnAddress,
  type PairingEvent,
  type PairingOptions,
} from "./pairing";
export { errorDetail, mustAnswer, serviceUnavailableReply, type StanzaErrorDetail } from "./stanzaErrors";
export { STANZA_TEMPLATES, templateById, type StanzaTemplate, type TemplateContext } from "./templates";
export { DEFAULT_HISTORY_LIMITS, SendHistory, type AddOutcome, type HistoryLimits } from "./history";
export {
  pairRecordOf,
  parseTranscriptJsonLines,
  transcriptJsonLines,
  transcriptLines,
  type PairOutcome,
  type PairRecord,
  type TranscriptLine,
} from "./transcript";
export { openLiveSession, type LiveSession, type LiveSessionOptions } from "./liveSession";
