import assert from "node:assert/strict";
import { test } from "node:test";
import { interleaveFamilies } from "../../src/core/dial";
import { SicError } from "../../src/core/errors";
import { cachingResolver, lookupHost, orderSrv, resolveTargets, systemResolver, type Resolver, type SrvRecord } from "../../src/core/resolve";

const err = (code: string) => Object.assign(new Error(code), { code });

/** A resolver over a fixed table; anything not in it is NXDOMAIN. Counts the questions. */
function table(srv: Record<string, SrvRecord[] | Error>, hosts: Record<string, string[]> = {}) {
  const asked: string[] = [];
  const resolver: Resolver = {
    async resolveSrv(name) {
      asked.push(name);
      const answer = srv[name];
      if (answer instanceof Error) throw answer;
      if (!answer) throw err("ENOTFOUND");
      return answer;
    },
    async lookup(host) {
      asked.push(host);
      const found = hosts[host];
      if (!found) throw err("ENOTFOUND");
      return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    },
  };
  return { resolver, asked };
}

const rec = (name: string, port: number, priority = 0, weight = 0): SrvRecord => ({ name, port, priority, weight });

test("RFC 2782 order: priority first; within a priority, weight decides the draw", () => {
  const records = [rec("c", 3, 20), rec("a", 1, 10, 0), rec("b", 2, 10, 100)];
  // random 0 picks the first of the pool, where weight-0 records come first.
  assert.deepEqual(orderSrv(records, () => 0).map((r) => r.name), ["a", "b", "c"]);
  // Any draw above 0 lands on the weighty one.
  assert.deepEqual(orderSrv(records, () => 0.5).map((r) => r.name), ["b", "a", "c"]);
  // Weights 1 and 3: RFC 2782 draws 0..4 inclusive and takes the first running sum >= the draw,
  // so "light" (running sum 1) wins on 0 and 1, "heavy" (4) on 2, 3 and 4: three times in five.
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let heavyFirst = 0;
  for (let i = 0; i < 4000; i++) if (orderSrv([rec("light", 1, 0, 1), rec("heavy", 2, 0, 3)], random)[0]!.name === "heavy") heavyFirst++;
  assert.ok(heavyFirst > 2250 && heavyFirst < 2550, `heavy first ${heavyFirst} of 4000`);
});

test("both SRV services are asked and mixed; each target keeps its TLS mode and record name", async () => {
  const { resolver, asked } = table({
    "_xmpps-client._tcp.example.org": [rec("tls.example.org.", 443, 5)],
    "_xmpp-client._tcp.example.org": [rec("xmpp.example.org", 5222, 10), rec("xmpp.example.org", 5222, 20)],
  });
  const targets = await resolveTargets({ domain: "example.org" }, resolver);
  assert.deepEqual(targets, [
    { host: "tls.example.org", port: 443, tls: "direct", found: "srv", srv: "_xmpps-client._tcp.example.org" },
    { host: "xmpp.example.org", port: 5222, tls: "starttls", found: "srv", srv: "_xmpp-client._tcp.example.org" },
  ]);
  assert.deepEqual(asked.sort(), ["_xmpp-client._tcp.example.org", "_xmpps-client._tcp.example.org"]);
});

test("a TLS mode limits the services asked; a host or a port skips SRV entirely", async () => {
  const { resolver, asked } = table({ "_xmpps-client._tcp.example.org": [rec("tls.example.org", 443)] });
  assert.equal((await resolveTargets({ domain: "example.org", tls: "direct" }, resolver))[0]!.port, 443);
  assert.deepEqual(asked, ["_xmpps-client._tcp.example.org"]);
  asked.length = 0;
  assert.deepEqual(await resolveTargets({ domain: "example.org", tls: "starttls" }, resolver), [
    { host: "example.org", port: 5222, tls: "starttls", found: "fallback", srv: null },
  ]);
  assert.deepEqual(asked, ["_xmpp-client._tcp.example.org"]);
  asked.length = 0;
  assert.deepEqual(await resolveTargets({ domain: "example.org", host: "h.example.net" }, resolver), [
    { host: "h.example.net", port: 5222, tls: "starttls", found: "host", srv: null },
  ]);
  assert.deepEqual(await resolveTargets({ domain: "example.org", port: 5299, tls: "direct" }, resolver), [
    { host: "example.org", port: 5299, tls: "direct", found: "host", srv: null },
  ]);
  assert.deepEqual(asked, []);
});

test('"." means not offered: the other service still counts, but never the A/AAAA fallback', async () => {
  const dot = rec("", 0);
  const mixed = table({ "_xmpps-client._tcp.d.example": [dot], "_xmpp-client._tcp.d.example": [rec("x.d.example", 5222)] });
  assert.equal((await resolveTargets({ domain: "d.example" }, mixed.resolver))[0]!.tls, "starttls");
  const only = table({ "_xmpps-client._tcp.d.example": [rec(".", 0)] });
  await assert.rejects(resolveTargets({ domain: "d.example" }, only.resolver), (e: unknown) =>
    e instanceof SicError && e.code === "connect" && /offers no XMPP client service: _xmpps-client\._tcp\.d\.example points to "\."/.test(e.message),
  );
});

test("a DNS failure (not NXDOMAIN) without usable records is a connect error; with records it is tolerated", async () => {
  const failing = table({ "_xmpps-client._tcp.d.example": err("ESERVFAIL") });
  await assert.rejects(resolveTargets({ domain: "d.example" }, failing.resolver), (e: unknown) =>
    e instanceof SicError && e.code === "connect" && /DNS did not answer the SRV query for _xmpps-client\._tcp\.d\.example \(ESERVFAIL\)/.test(e.message),
  );
  const partly = table({ "_xmpps-client._tcp.d.example": err("ETIMEOUT"), "_xmpp-client._tcp.d.example": [rec("x.d.example", 5222)] });
  assert.equal((await resolveTargets({ domain: "d.example" }, partly.resolver))[0]!.host, "x.d.example");
  // ENODATA is an answer (no such records), not a failure.
  const nodata = table({ "_xmpps-client._tcp.d.example": err("ENODATA"), "_xmpp-client._tcp.d.example": err("ENODATA") });
  assert.equal((await resolveTargets({ domain: "d.example" }, nodata.resolver))[0]!.found, "fallback");
});

test("duplicate targets are tried once", async () => {
  const { resolver } = table({ "_xmpp-client._tcp.d.example": [rec("x.d.example", 5222, 1), rec("X.d.example.", 5222, 2)] });
  assert.equal((await resolveTargets({ domain: "d.example", tls: "starttls" }, resolver)).length, 1);
});

test("the system resolver never sends localhost names to DNS (RFC 6761)", async () => {
  assert.deepEqual(await systemResolver().resolveSrv("_xmpp-client._tcp.localhost"), []);
  assert.deepEqual(await systemResolver().resolveSrv("_xmpps-client._tcp.foo.localhost."), []);
});

test("IP literals need no DNS; the caching resolver asks each question once", async () => {
  const { resolver, asked } = table({}, { "x.example": ["2001:db8::1", "192.0.2.1"] });
  assert.deepEqual(await lookupHost(resolver, "[2001:db8::5]"), [{ address: "2001:db8::5", family: 6 }]);
  assert.deepEqual(await lookupHost(resolver, "192.0.2.9"), [{ address: "192.0.2.9", family: 4 }]);
  assert.deepEqual(asked, []);
  const cached = cachingResolver(resolver);
  await cached.lookup("x.example");
  await cached.lookup("X.example");
  assert.deepEqual(asked, ["x.example"]);
});

test("happy eyeballs alternates families, starting with the resolver's first choice", () => {
  const a = (address: string) => ({ address, family: (address.includes(":") ? 6 : 4) as 4 | 6 });
  const order = interleaveFamilies([a("2001:db8::1"), a("2001:db8::2"), a("192.0.2.1"), a("2001:db8::3"), a("192.0.2.2")]);
  assert.deepEqual(order.map((x) => x.address), ["2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "2001:db8::3"]);
  assert.deepEqual(interleaveFamilies([a("192.0.2.1"), a("2001:db8::1")]).map((x) => x.address), ["192.0.2.1", "2001:db8::1"]);
});
