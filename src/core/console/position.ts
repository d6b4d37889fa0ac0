// Where something is in what a person typed, for messages ("Line 3, column 7: …"). Columns count
// characters (code points), as people do; editors that count UTF-16 units from 0 (VS Code) should
// convert the offset themselves (document.positionAt(offset)).

export interface SourcePosition {
  /** 0-based, in UTF-16 code units of the input string. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
}

/** CR LF, LF and a lone CR each end one line (XML's end-of-line handling). */
export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: [...text.slice(lineStart, offset)].length + 1 };
}
