// Types for the two xmpp.js building blocks we use; the packages ship none.
declare module "@xmpp/xml" {
  export class Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: (Element | string)[];
    parent: Element | null;
    constructor(name: string, attrs?: Record<string, string | undefined>);
    is(name: string, xmlns?: string): boolean;
    getNS(): string | undefined;
    /** The name without its prefix. */
    getName(): string;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    text(): string;
    c(name: string, attrs?: Record<string, string | undefined>): Element;
    t(text: string): Element;
    up(): Element;
    toString(): string;
  }
  export class Parser {
    constructor();
    write(data: string): void;
    end(data?: string): void;
    on(event: "start", listener: (el: Element) => void): this;
    on(event: "element", listener: (el: Element) => void): this;
    on(event: "end", listener: (el: Element) => void): this;
    on(event: "error", listener: (err: Error) => void): this;
    removeAllListeners(): this;
    onStartElement(name: string, attrs: Record<string, string>): void;
    onEndElement(name: string): void;
    onText(text: string): void;
  }
  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: (Element | string | null | undefined | false)[]
  ): Element;
  export function escapeXML(s: string): string;
  export function escapeXMLText(s: string): string;
}

declare module "@xmpp/jid" {
  export class JID {
    local: string;
    domain: string;
    resource: string;
    bare(): JID;
    equals(other: JID): boolean;
    toString(): string;
  }
  export function jid(address: string): JID;
  export function parse(address: string): JID;
}
