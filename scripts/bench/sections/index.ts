// Every measured section, in the order they run and appear in the report. A new section is a file
// in this folder (see section.ts) and one entry here.
import { cold } from "./cold";
import { consoleSection } from "./console";
import { ext } from "./ext";
import { inproc } from "./inproc";
import { rtt } from "./rtt";
import { scram } from "./scram";
import type { Section } from "./section";
import { stanzaView } from "./stanzaView";
import { startup } from "./startup";
import { udp } from "./udp";
import { warm } from "./warm";

export const SECTIONS: readonly Section<unknown>[] = [cold, startup, inproc, rtt, warm, ext, scram, udp, consoleSection, stanzaView];
