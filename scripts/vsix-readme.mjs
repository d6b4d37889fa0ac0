// Writes dist/README.vsix.md, the README packed into the .vsix (`vsce --readme-path`), from
// docs/README.vsix.md with every local picture inlined as a data: URI. VS Code shows an installed
// extension's README in a webview whose policy loads images only from https: and data: (not from
// the extension's own folder), and this project has no public https home yet: inlined, the
// pictures show. The day it has one, use absolute https URLs (and `repository`) instead.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";

const SOURCE = "docs/README.vsix.md";
const TARGET = "dist/README.vsix.md";
const TYPES = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif" };

export function inlinePictures(markdown, baseDir = ".") {
  return markdown.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (all, alt, link) => {
    if (/^[a-z]+:/i.test(link)) return all;
    const type = TYPES[extname(link).toLowerCase()];
    if (!type) throw new Error(`${SOURCE}: ${link}: only PNG, JPEG or GIF pictures can be inlined`);
    return `![${alt}](data:${type};base64,${readFileSync(join(baseDir, link)).toString("base64")})`;
  });
}

mkdirSync(dirname(TARGET), { recursive: true });
const text = inlinePictures(readFileSync(SOURCE, "utf8"));
writeFileSync(TARGET, text);
console.log(`${TARGET}: ${Math.round(text.length / 1024)} KiB`);
