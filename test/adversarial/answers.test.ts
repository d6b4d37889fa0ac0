// Hostile and broken XEP-0279 answers: odd but valid shapes are read right, everything else is the
// exact error code, in time, with nothing left open.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NS_SIC_0, NS_SIC_1 } from "../../src/core";
import { expectError, expectResult, receivedBy, scenario } from "./helpers";
import { DOMAIN, escape, type Conn, type Query } from "./server";

const address = (ns: string, inner: string) => `<address xmlns='${ns}'>${inner}</address>`;
/** A scenario whose every SIC query is answered with `payload(conn, query)`. */
const answering = (payload: (c: Conn, q: Query) => string) => ({
  onQuery: async (c: Conn, q: Query) => {
    await c.result(q.id, payload(c, q));
    return true;
  },
});

describe("valid but unusual answers", () => {
  test("a reply without a port: the address, port null, port preservation unknown", () =>
    scenario(answering((c) => address(NS_SIC_1, `<ip>${c.remote.ip}</ip>`)), async (server) => {
      const r = await expectResult(server);
      assert.equal(r.address.ip, "127.0.0.1");
      assert.equal(r.address.port, null);
      assert.equal(r.nat.portPreserved, null);
      assert.equal(r.nat.verdict, "no-nat");
    }));

  test("port before ip", () =>
    scenario(answering((c) => address(NS_SIC_1, `<port>${c.remote.port}</port><ip>${c.remote.ip}</ip>`)), async (server) => {
      const r = await expectResult(server);
      assert.equal(r.address.ip, "127.0.0.1");
      assert.equal(r.address.port, r.local.port);
      assert.equal(r.nat.portPreserved, true);
    }));

  test("an IPv4-mapped IPv6 address is reported as the IPv4 address it carries", () =>
    scenario(answering((c) => address(NS_SIC_1, `<ip>::ffff:${c.remote.ip}</ip><port>${c.remote.port}</port>`)), async (server) => {
      const r = await expectResult(server);
      assert.deepEqual(r.address, { ip: "127.0.0.1", port: r.local.port, family: "IPv4", range: "loopback" });
      assert.equal(r.nat.case, "same-as-socket");
    }));

  test("IPv6: over ::1, written out in full, normalised to RFC 5952 form", () =>
    scenario({ host: "::1", ...answering((c) => address(NS_SIC_1, `<ip>0:0:0:0:0:0:0:1</ip><port>${c.remote.port}</port>`)) }, async (server) => {
      const r = await expectResult(server);
      assert.deepEqual(r.address, { ip: "::1", port: r.local.port, family: "IPv6", range: "loopback" });
      assert.equal(r.local.ip, "::1");
      assert.equal(r.nat.verdict, "no-nat");
    }));

  test("IPv6 seen for an IPv4 connection: a translator in the path", () =>
    scenario(answering(() => address(NS_SIC_1, `<ip>2001:DB8:0:0:0:0:0:5</ip><port>4000</port>`)), async (server) => {
      const r = await expectResult(server);
      assert.deepEqual(r.address, { ip: "2001:db8::5", port: 4000, family: "IPv6", range: "reserved" });
      assert.equal(r.nat.verdict, "nat");
      assert.equal(r.nat.case, "family-changed");
    }));

  test("a link-local IPv6 address with a zone id (RFC 4007 text form): the zone, the server's interface, is removed", () =>
    scenario(answering(() => address(NS_SIC_1, `<ip>fe80::1%eth0</ip><port>4000</port>`)), async (server) => {
      const r = await expectResult(server);
      assert.deepEqual(r.address, { ip: "fe80::1", port: 4000, family: "IPv6", range: "linkLocal" });
    }));

  test("sic:0 only, Prosody's shape: <ip> text answered, <address> never needed", () =>
    scenario(
      {
        discoFeatures: [NS_SIC_0],
        onQuery: async (c, q) => {
          if (q.element === "ip") await c.result(q.id, `<ip xmlns='${NS_SIC_0}'>${c.remote.ip}</ip>`);
          else await c.error(q.id, "service-unavailable");
          return true;
        },
      },
      async (server) => {
        const r = await expectResult(server);
        assert.equal(r.namespace, NS_SIC_0);
        assert.equal(r.query, `<ip xmlns='${NS_SIC_0}'/>`);
        assert.equal(r.address.ip, "127.0.0.1");
        assert.equal(r.address.port, null);
        assert.deepEqual(server.queries.map((q) => `${q.element} ${q.namespace}`), [`ip ${NS_SIC_0}`]);
      },
    ));

  for (const refusal of ["bad-request", "service-unavailable"]) {
    test(`sic:0 only, ejabberd's shape: <ip> refused with ${refusal}, <address><ip/></address> answered`, () =>
      scenario(
        {
          discoFeatures: [NS_SIC_0],
          onQuery: async (c, q) => {
            if (q.element === "ip") await c.error(q.id, refusal, { type: "modify" });
            else await c.result(q.id, address(NS_SIC_0, `<ip>${c.remote.ip}</ip>`));
            return true;
          },
        },
        async (server) => {
          const r = await expectResult(server);
          assert.equal(r.namespace, NS_SIC_0);
          assert.equal(r.query, `<address xmlns='${NS_SIC_0}'/>`);
          assert.equal(r.address.ip, "127.0.0.1");
          assert.deepEqual(server.queries.map((q) => `${q.element} ${q.namespace}`), [`ip ${NS_SIC_0}`, `address ${NS_SIC_0}`]);
        },
      ));
  }

  test("disco#info fails: the client probes sic:1 and gets its answer", () =>
    scenario({ discoFeatures: "error" }, async (server) => {
      const r = await expectResult(server);
      assert.equal(r.namespace, NS_SIC_1);
      assert.equal(r.address.port, r.local.port);
    }));

  test("a result with the right id from a foreign JID comes first: ignored, the genuine one wins", () =>
    scenario(
      {
        onQuery: async (c, q) => {
          const spoof = address(NS_SIC_1, `<ip>203.0.113.66</ip><port>666</port>`);
          for (const from of ["mallory@evil.example/x", "evil.example", `${DOMAIN}.evil.example`, `bob@${DOMAIN}`, `alice@${DOMAIN}.evil`]) {
            await c.result(q.id, spoof, from);
          }
          await c.send(
            `<iq type='error' id='${escape(q.id)}' from='mallory@evil.example'>` +
              `<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
          );
          return false; // then the genuine answer
        },
      },
      async (server) => {
        const r = await expectResult(server);
        assert.equal(r.address.ip, "127.0.0.1");
        assert.equal(r.address.port, r.local.port);
      },
    ));

  test("unsolicited results and server requests before the reply are ignored or answered, never taken", () =>
    scenario(
      {
        afterBind: async (c) => {
          await c.result("unsolicited-1", address(NS_SIC_1, `<ip>203.0.113.1</ip><port>1</port>`), DOMAIN);
        },
        onQuery: async (c, q) => {
          await c.result(`${q.id}x`, address(NS_SIC_1, `<ip>203.0.113.2</ip><port>2</port>`));
          await c.result(q.id.slice(0, -1), address(NS_SIC_1, `<ip>203.0.113.3</ip><port>3</port>`));
          await c.send(`<iq type='get' id='ping-1' from='${DOMAIN}'><ping xmlns='urn:xmpp:ping'/></iq>`);
          await c.send(`<message from='${DOMAIN}'><body>hello</body></message><presence from='bob@${DOMAIN}/x'/>`);
          return false;
        },
      },
      async (server) => {
        const r = await expectResult(server);
        assert.equal(r.address.ip, "127.0.0.1");
        assert.equal(r.address.port, r.local.port);
        // RFC 6120 §8.2.3: the client answered the server's get with an error.
        const conn = server.connections[0]!;
        const answer = /<iq type="error" id="ping-1" to="localhost"><error type="cancel"><service-unavailable/;
        assert.match(await receivedBy(() => conn.received, answer), answer);
      },
    ));
});

describe("answers that are refused", () => {
  test("no SIC feature in disco#info: unsupported, and no query is sent", () =>
    scenario({ discoFeatures: ["http://jabber.org/protocol/disco#info", "urn:xmpp:ping"] }, async (server) => {
      await expectError(server, "unsupported", /neither urn:xmpp:sic:1 nor urn:xmpp:sic:0/);
      assert.equal(server.queries.length, 0);
    }));

  const conditions: [condition: string, code: "forbidden" | "server-error" | "unsupported", queries: number][] = [
    ["forbidden", "forbidden", 1],
    ["not-allowed", "forbidden", 1],
    ["service-unavailable", "unsupported", 3],
    ["feature-not-implemented", "unsupported", 3],
    ["bad-request", "server-error", 1],
    ["item-not-found", "server-error", 1],
    ["internal-server-error", "server-error", 1],
  ];
  for (const [condition, code, queries] of conditions) {
    test(`every query answered with <${condition}/>: ${code} after ${queries} ${queries === 1 ? "query" : "queries"}`, () =>
      scenario(
        {
          onQuery: async (c, q) => {
            await c.error(q.id, condition, { text: `because ${condition}`, echo: `<address xmlns='${q.namespace}'/>` });
            return true;
          },
        },
        async (server) => {
          const { error } = await expectError(server, code, new RegExp(`<${condition}/>`));
          if (code !== "unsupported") assert.match(error.message, new RegExp(`The server said: "because ${condition}"`));
          assert.equal(server.queries.length, queries);
        },
      ));
  }

  const badReplies: [label: string, payload: (c: Conn) => string, pattern: RegExp][] = [
    ["a wrong-namespace reply", (c) => `<address xmlns='urn:xmpp:sic:2'><ip>${c.remote.ip}</ip></address>`, /instead of an XEP-0279 address/],
    ["a result with no payload", () => "", /empty result/],
    ["invalid ip text", () => address(NS_SIC_1, "<ip>127.0.0.256</ip><port>5</port>"), /"127\.0\.0\.256" is not an IPv4 or IPv6 address/],
    ["an ip in short form", () => address(NS_SIC_1, "<ip>127.1</ip>"), /"127\.1" is not/],
    ["an ip with a zone id that is not a zone id", () => address(NS_SIC_1, "<ip>fe80::1%eth 0</ip>"), /is not an IPv4 or IPv6 address/],
    ["an ip holding markup", () => address(NS_SIC_1, "<ip><b>127.0.0.1</b></ip>"), /contains elements/],
    ["control characters in ip", () => address(NS_SIC_1, "<ip>127.0.0.1&#x9;1</ip>"), /"127\.0\.0\.1\?1" is not/],
    ["port 0", (c) => address(NS_SIC_1, `<ip>${c.remote.ip}</ip><port>0</port>`), /<port> "0" is not a port from 1 to 65535/],
    ["port 65536", (c) => address(NS_SIC_1, `<ip>${c.remote.ip}</ip><port>65536</port>`), /"65536" is not a port/],
    ["a negative port", (c) => address(NS_SIC_1, `<ip>${c.remote.ip}</ip><port>-5222</port>`), /"-5222" is not a port/],
    ["a non-numeric port", (c) => address(NS_SIC_1, `<ip>${c.remote.ip}</ip><port>http</port>`), /"http" is not a port/],
    ["a fractional port", (c) => address(NS_SIC_1, `<ip>${c.remote.ip}</ip><port>52.5</port>`), /"52\.5" is not a port/],
    ["a huge port", (c) => address(NS_SIC_1, `<ip>${c.remote.ip}</ip><port>${"9".repeat(5000)}</port>`), /"9{16}" is not a port/],
    ["two ports", (c) => address(NS_SIC_1, `<ip>${c.remote.ip}</ip><port>1</port><port>2</port>`), /more than one <port>/],
    ["two ips", () => address(NS_SIC_1, `<ip>127.0.0.1</ip><ip>127.0.0.2</ip>`), /more than one <ip>/],
    ["an empty <address/>", () => `<address xmlns='${NS_SIC_1}'/>`, /holds no <ip>/],
    ["an empty <ip/>", () => address(NS_SIC_1, "<ip/>"), /is not an IPv4 or IPv6 address/],
    ["ip text of 10 000 characters", () => address(NS_SIC_1, `<ip>${"1".repeat(10_000)}</ip>`), /is 10000 characters long/],
  ];
  for (const [label, payload, pattern] of badReplies) {
    test(`${label}: bad-reply`, () =>
      scenario(answering(payload), async (server) => {
        await expectError(server, "bad-reply", pattern);
      }));
  }
});
