// The Stanza Log's console features, driven in the real workbench on a finished check's group
// (a live console session is another test's): the JSON Lines export of the group, re-read line by
// line; each request row's pair (✓ result, latency) and Go to Paired Stanza; the direction and JID
// filters from the view title with nothing focused and with a row focused; unpaired only; Clear
// Filter; Find in Stanza Log with "Match n of m", Next and Previous; Open JSON Lines of the export,
// then of a flood (the newest rows and an "earlier stanzas" row). Every expected count comes
// from the exported file, not from the view.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { TestContext } from "node:test";
import type { Locator, Page } from "playwright-core";
import { GROUP_ROWS } from "../../src/vscode/stanzaModel";
import { acceptSaveDialog, description, editorWith, entryRows, groupRows, rowTexts, toast } from "./stanzaPane";
import { answerAll, contextMenu, contextMenuEntries, quickInput, runCommand, STEP_MS, titleButton, until } from "./workbench";

export interface ConsolePartsContext {
  page: Page;
  stanzas: Locator;
  part: (name: string, fn: (st: TestContext) => Promise<void>) => Promise<unknown>;
  jid: string;
  domain: string;
  /** The password in every form it could be written: none may be in the export. */
  secretForms: readonly string[];
}

interface Line {
  seq: number;
  direction: "in" | "out";
  summary: string;
  xml: string;
  pairedWith: number | null;
  latencyMs: number | null;
  outcome: string | null;
}

/** The to and from of an exported entry's first tag, read here on its own terms. */
function addresses(xml: string): string[] {
  const tag = /^\s*<[^>]*>/.exec(xml)?.[0] ?? "";
  return [...tag.matchAll(/\s(?:to|from)\s*=\s*(["'])(.*?)\1/g)].map((m) => m[2]!.toLowerCase());
}

/** Every group expanded: a context-menu entry taken with Enter may have folded the row it was on. */
async function expandGroups(pane: Locator): Promise<void> {
  const folded = groupRows(pane).and(pane.locator("[aria-expanded='false']"));
  for (let i = await folded.count(); i > 0; i--) await folded.first().locator(".monaco-tl-twistie").click();
  await until(async () => (await folded.count()) === 0, "every group in the Stanza Log expanded", 5_000);
}

const selectedRow = async (pane: Locator) => (await rowTexts(pane.locator(".monaco-list-row[aria-selected='true']")))[0] ?? "";
const searchMessage = async (pane: Locator) => (await pane.locator(".message").first().innerText({ timeout: 500 }).catch(() => "")).trim();

/** Runs the parts; returns the last one, Open JSON Lines, to run once nothing else needs a single group. */
export async function stanzaConsoleParts({ page, stanzas, part, jid, domain, secretForms }: ConsolePartsContext): Promise<() => Promise<unknown>> {
  let lines: Line[] = [];
  let total = 0;
  let exported = "";

  await part("Export as JSON Lines: one parsable line per stanza of the group, pairs included", async (st) => {
    const group = groupRows(stanzas).filter({ hasText: jid }).first();
    total = Number(/(\d+) stanzas/.exec((await rowTexts(group)).join(" "))?.[1]);
    assert.ok(total > 5, "no stanza count on the check's row");
    await contextMenu(page, group, "Export as JSON Lines…");
    const proposed = (exported = await acceptSaveDialog(page, "jsonl"));
    const confirmation = await toast(page, /Exported/);
    assert.ok(confirmation.includes(`Exported ${total} stanzas of the check`) && confirmation.includes(`to ${proposed}.`), `the confirmation: ${confirmation}`);
    const text = readFileSync(proposed, "utf8");
    for (const form of secretForms) assert.ok(!text.includes(form), `the JSON Lines export holds the password (as ${form})`);
    const rows = text.split("\n");
    assert.equal(rows.pop(), "", "the file does not end with a newline");
    lines = rows.map((row, i) => {
      try {
        return JSON.parse(row) as Line;
      } catch (error) {
        throw new Error(`line ${i + 1} is not JSON: ${row.slice(0, 200)}`, { cause: error });
      }
    });
    assert.equal(lines.length, total, `the file has ${lines.length} lines, the group ${total} stanzas`);
    const request = lines.find((l) => l.direction === "out" && /^iq set → urn:ietf:params:xml:ns:xmpp-bind/.test(l.summary));
    const reply = lines.find((l) => l.direction === "in" && /^iq result → urn:ietf:params:xml:ns:xmpp-bind/.test(l.summary));
    assert.ok(request && reply, "no bind request and result in the export");
    assert.equal(request.pairedWith, reply.seq, "the bind request is not paired with its result");
    assert.equal(reply.pairedWith, request.seq, "the bind result does not point back at its request");
    assert.equal(request.outcome, "result");
    assert.ok(typeof request.latencyMs === "number" && request.latencyMs >= 0, `latency ${request.latencyMs}`);
    st.diagnostic(`exported ${lines.length} lines to ${proposed}`);
  });

  await part("a request row shows ✓ result and its latency, its reply the request; Go to Paired Stanza selects the reply", async () => {
    await expandGroups(stanzas);
    const rows = await rowTexts(entryRows(stanzas));
    assert.ok(rows.some((r) => /^bind  ✓ result [\d.]+ ms · /.test(r)), `no "bind  ✓ result … ms" row:\n${rows.join("\n")}`);
    assert.ok(rows.some((r) => /^bind → \S+  ↩ answers bind · /.test(r)), `no "bind → …  ↩ answers bind" row:\n${rows.join("\n")}`);
    // A row's text is its label and description with no space between.
    const request = entryRows(stanzas).filter({ hasText: /^\s*bind\s*✓ result/ }).first();
    const entries = await contextMenuEntries(page, request);
    assert.ok(entries.includes("Go to Paired Stanza"), `the request's context menu: ${entries.join(", ")}`);
    // The login's own bind cannot be sent again by hand (the console refuses it), so it is not
    // offered; a template comes from what was received. (A console's sent disco#info offers
    // Edit and Resend: ui-console.)
    assert.ok(!entries.includes("Edit and Resend") && !entries.includes("Copy as Template"), `the sent bind's context menu: ${entries.join(", ")}`);
    await contextMenu(page, request, "Go to Paired Stanza");
    await until(async () => /^bind → /.test(await selectedRow(stanzas)), "the bind result to be selected");
  });

  const received = () => lines.filter((l) => l.direction === "in").length;
  const withDomain = () => lines.filter((l) => addresses(l.xml).some((a) => a.includes(domain.toLowerCase()))).length;
  const expectShown = async (filter: RegExp, shown: number, when: string) => {
    await until(async () => filter.test(await description(stanzas)), `${filter} in the view's description (${when})`);
    const [n, of] = (/^(\d+) of (\d+)/.exec(await description(stanzas)) ?? []).slice(1).map(Number);
    assert.deepEqual([n, of], [shown, total], `the description: ${await description(stanzas)} (${when})`);
    await until(async () => (await entryRows(stanzas).count()) === shown, `${shown} rows under ${filter} (${when})`, 5_000).catch(() => {});
    assert.equal(await entryRows(stanzas).count(), shown, `rows under ${filter} (${when})`);
  };
  const clearFilter = async (when: string) => {
    await titleButton(stanzas, "Clear Stanza Log Filter").click({ timeout: STEP_MS });
    await until(async () => (await description(stanzas)) === "", `the description to clear (${when})`);
    await until(async () => (await entryRows(stanzas).count()) === total, `all ${total} rows back (${when})`);
  };

  for (const when of ["nothing focused", "a row focused"]) {
    await part(`direction and JID filters from the view title, ${when}`, async () => {
      await expandGroups(stanzas);
      // A click opens the row's stanza: the editor takes the focus first, then the title button is clicked.
      const focusRow = async (n: number) => {
        await runCommand(page, "View: Close All Editors");
        await entryRows(stanzas).nth(n).click();
        await editorWith(page, /\.xml/, /</);
      };
      if (when === "a row focused") await focusRow(0);
      await titleButton(stanzas, "Filter Stanza Log by Direction…").click({ timeout: STEP_MS });
      await answerAll(page, [{ asks: /direction/i, value: "Received only", pick: true }], 1);
      await expectShown(/filter: received$/, received(), when);
      assert.equal(await entryRows(stanzas).locator(".codicon-arrow-right").count(), 0, `a sent row under "received" (${when})`);
      await clearFilter(when);

      if (when === "a row focused") await focusRow(1);
      await titleButton(stanzas, "Filter Stanza Log by JID…").click({ timeout: STEP_MS });
      await answerAll(page, [{ asks: /JID/, value: domain }], 1);
      await expectShown(new RegExp(`filter: JID "${domain.replace(/\./g, "\\.")}"$`), withDomain(), when);
      await clearFilter(when);
    });
  }

  await part("unpaired only, then Clear Filter", async () => {
    await expandGroups(stanzas);
    const unpaired = lines.filter((l) => l.direction === "out" && /^iq (get|set)\b/.test(l.summary) && l.pairedWith === null).length;
    await titleButton(stanzas, "Show Only Unpaired Requests (Toggle)").click({ timeout: STEP_MS });
    await expectShown(/filter: unpaired$/, unpaired, "unpaired");
    await clearFilter("unpaired");
  });

  await part("Find in Stanza Log: Match n of m, Next and Previous Match, End Search", async () => {
    assert.equal(await groupRows(stanzas).count(), 1, "one group expected: the matches are counted in its export");
    await expandGroups(stanzas);
    const matches = lines.filter((l) => /bind/i.test(l.summary) || /bind/i.test(l.xml)).length;
    assert.ok(matches >= 2, `only ${matches} stanzas mention bind`);
    assert.equal(await titleButton(stanzas, "Next Match").count(), 0, "Next Match shows before any search");
    await titleButton(stanzas, "Find in Stanza Log…").click({ timeout: STEP_MS });
    await answerAll(page, [{ asks: /Find in Stanza Log/, value: "bind" }], 1);
    await until(async () => (await searchMessage(stanzas)) === `Match 1 of ${matches} for "bind"`, `"Match 1 of ${matches}" (shows: ${await searchMessage(stanzas)})`);
    const first = await selectedRow(stanzas);
    await titleButton(stanzas, "Next Match").click({ timeout: STEP_MS });
    await until(async () => (await searchMessage(stanzas)) === `Match 2 of ${matches} for "bind"`, `"Match 2 of ${matches}"`);
    await until(async () => (await selectedRow(stanzas)) !== first, "Next Match to select another row");
    await titleButton(stanzas, "Previous Match").click({ timeout: STEP_MS });
    await until(async () => (await searchMessage(stanzas)) === `Match 1 of ${matches} for "bind"`, `back to "Match 1 of ${matches}"`);
    await until(async () => (await selectedRow(stanzas)) === first, "Previous Match to select the first match again");
    await titleButton(stanzas, "End Search").click({ timeout: STEP_MS });
    await until(async () => (await searchMessage(stanzas)) === "", "the search message to go");
  });

  /** Open JSON Lines… on a file in the folder the dialog opens on (where the export was saved), picked as a person does. */
  const openJsonLines = async (name: string) => {
    await runCommand(page, "XMPP IP Check: Open JSON Lines…");
    const widget = quickInput(page);
    const input = widget.locator(".quick-input-box input");
    await widget.waitFor({ state: "visible", timeout: STEP_MS });
    const file = widget.locator(".quick-input-list .monaco-list-row", { hasText: name }).first();
    await file.click({ timeout: STEP_MS });
    // A click picks the file (the path in the box) or, in some versions, opens it at once.
    await until(async () => !(await widget.isVisible()) || (await input.inputValue().catch(() => "")).endsWith(name), "the file picked in the open dialog");
    // The dialog may still be closing after opening the file at once: OK only while it stays open.
    const closed = await widget.waitFor({ state: "hidden", timeout: 1_000 }).then(
      () => true,
      () => false,
    );
    if (!closed) await widget.getByRole("button", { name: "OK" }).first().click({ timeout: STEP_MS });
    await widget.waitFor({ state: "hidden", timeout: STEP_MS });
  };

  // Run last: from then on the log holds more groups (and Open Transcript asks which).
  return async () => {
    await part("Open JSON Lines… re-opens the export as a group of its own, with its pairs", async () => {
      await openJsonLines(basename(exported));
      const group = groupRows(stanzas).filter({ hasText: `Opened · ${basename(exported)}` }).first();
      await group.waitFor({ timeout: STEP_MS });
      await expandGroups(stanzas);
      const text = (await rowTexts(group)).join(" ");
      assert.match(text, new RegExp(`\\b${lines.length} stanzas`), `the opened group's row: ${text}`);
      // The check's group folded, so that the opened group's rows are on screen (the tree renders only those):
      // its bind request is paired again from the file.
      await groupRows(stanzas).filter({ hasText: jid }).first().locator(".monaco-tl-twistie").click();
      await until(async () => (await entryRows(stanzas).filter({ hasText: /^\s*bind\s*✓ result/ }).count()) === 1, "the opened group's bind request, paired");
    });

    // A flood (a file of FLOOD messages) in one group: the newest GROUP_ROWS rows and one row for
    // the earlier ones; a click on it shows GROUP_ROWS more.
    await part(`a flood of ${FLOOD} stanzas in one group: the newest ${GROUP_ROWS} and "${FLOOD - GROUP_ROWS} earlier stanzas", which shows more`, async () => {
      const name = "flood.jsonl";
      const start = Date.parse("2026-12-01T12:00:00Z");
      const flood = Array.from({ length: FLOOD }, (_, i) =>
        JSON.stringify({
          seq: i + 1,
          time: new Date(start + i).toISOString(),
          direction: "in",
          kind: "message",
          summary: `message chat from bob@${domain}/r`,
          xml: `<message type="chat" from="bob@${domain}/r" id="f${i}"><body>flood ${i}</body></message>`,
          pairedWith: null,
          latencyMs: null,
          outcome: null,
        }),
      );
      writeFileSync(join(dirname(exported), name), flood.join("\n") + "\n");
      await openJsonLines(name);
      const group = groupRows(stanzas).filter({ hasText: `Opened · ${name}` }).first();
      await group.waitFor({ timeout: STEP_MS });
      assert.match((await rowTexts(group)).join(" "), new RegExp(`\\b${FLOOD} stanzas`), "the flood's group counts every stanza");
      // Only the flood's group open, so that its first rows are on screen.
      for (const other of await groupRows(stanzas).all()) {
        const mine = (await rowTexts(other)).join(" ").includes(`Opened · ${name}`);
        if ((await other.getAttribute("aria-expanded")) === String(!mine)) await other.locator(".monaco-tl-twistie").click();
      }
      const earlier = stanzas.locator(".monaco-list-row", { hasText: /earlier stanza/ }).first();
      await until(async () => new RegExp(`^\\s*${FLOOD - GROUP_ROWS} earlier stanzas`).test((await rowTexts(earlier))[0] ?? ""), `the "${FLOOD - GROUP_ROWS} earlier stanzas" row`);
      await earlier.click();
      const remaining = FLOOD - 2 * GROUP_ROWS;
      await until(async () => new RegExp(`^\\s*${remaining} earlier stanzas`).test((await rowTexts(earlier))[0] ?? ""), `the row to say ${remaining} earlier stanzas after a click`);
    });
  };
}

/** More than twice a group's first rows (GROUP_ROWS in src/vscode/stanzaModel.ts), so two clicks still leave some earlier. */
const FLOOD = 2 * GROUP_ROWS + 200;
