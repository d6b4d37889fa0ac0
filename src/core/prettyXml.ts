// Indents logged XML for reading, as XML consoles do. Input is our own redacted serialisation;
// anything it cannot parse (a stream header is an open tag only, notes are comments) is returned as is.
import { Parser, type Element } from "@xmpp/xml";
import { neutralise } from "./text";

/** Indented XML for reading; parsing resolves character references, so the result is neutralised again. */
export function prettyXml(xmlText: string, indent = "  "): string {
  return neutralise(indented(xmlText, indent), { keepLines: true });
}

function indented(xmlText: string, indent: string): string {
  if (!xmlText.startsWith("<") || xmlText.startsWith("<!--")) return xmlText;
  if (xmlText.startsWith("<stream:stream") && !xmlText.endsWith("/>")) return prettyOpenTag(xmlText, indent);
  let root: Element | undefined;
  try {
    const parser = new Parser();
    parser.on("element", (el) => (root ??= el));
    parser.on("error", () => {});
    // Wrapped so the element arrives as a complete top-level child.
    parser.write(`<w>${xmlText}</w>`);
  } catch {
    return xmlText;
  }
  return root ? render(root, "", indent) : xmlText;
}

function render(el: Element, pad: string, indent: string): string {
  const attrs = Object.entries(el.attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escape(v!, true)}"`)
    .join("");
  const children = el.children.filter((c) => typeof c !== "string" || c.trim() !== "");
  if (children.length === 0) return `${pad}<${el.name}${attrs}/>`;
  if (children.every((c) => typeof c === "string")) {
    return `${pad}<${el.name}${attrs}>${escape(children.join(""), false)}</${el.name}>`;
  }
  const inner = children
    .map((c) => (typeof c === "string" ? pad + indent + escape(c.trim(), false) : render(c, pad + indent, indent)))
    .join("\n");
  return `${pad}<${el.name}${attrs}>\n${inner}\n${pad}</${el.name}>`;
}

function prettyOpenTag(tag: string, indent: string): string {
  const attrs = [...tag.matchAll(/\s([^\s=]+)=('[^']*'|"[^"]*")/g)].map((m) => `${indent}${m[1]}=${m[2]}`);
  return attrs.length ? `<stream:stream\n${attrs.join("\n")}>` : tag;
}

function escape(s: string, attr: boolean): string {
  const t = s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return attr ? t.replace(/"/g, "&quot;") : t;
}
