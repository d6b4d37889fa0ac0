// The planner: the server's disco#info features (XEP-0030), asked of the account's domain on a
// first contact, remembered for the next. The other questions plan from them (which XEP-0279
// version, whether XEP-0215 is there); a server that refuses disco#info leaves them to probe.
import { xml } from "@xmpp/xml";
import type { Planner } from "../session/question";
import { discoFeatures, NS_DISCO_INFO } from "../sic";

const MAX_FEATURES = 1000;
const MAX_FEATURE_CHARS = 4096;

export const discoPlanner: Planner = {
  key: "disco#info",

  recall(memory) {
    const ok =
      Array.isArray(memory) &&
      memory.length < MAX_FEATURES &&
      memory.every((f) => typeof f === "string" && f.length < MAX_FEATURE_CHARS);
    return ok ? (memory as string[]) : undefined;
  },

  async ask({ iqs, domain, phase }) {
    phase("asking the server what it supports (disco#info)");
    const reply = await iqs.request("get", xml("query", { xmlns: NS_DISCO_INFO }), domain);
    const features = reply.ok ? [...discoFeatures(reply.iq)].sort() : null;
    return { answer: features, memory: features };
  },
};
