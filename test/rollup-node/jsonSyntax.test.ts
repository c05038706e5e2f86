import { expect } from "chai";

import { describeJsonSyntaxError, firstDuplicateKey, jsonSyntaxLocation } from "../../rollup-node/jsonSyntax";

/** What JSON.parse threw for `text` (the test's texts are all broken). */
function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (error) {
    return error;
  }
  throw new Error(`${text} parsed`);
}

const describe_ = (text: string): string => describeJsonSyntaxError(text, parseError(text));

describe("rollup-node/jsonSyntax: a JSON syntax error as line, column and the text there", () => {
  it("a trailing comma: the closing bracket's place, with the line above when it stands alone", () => {
    const text = '{\n  "alloc": {\n    "0xab": { "balance": "0x1" },\n  }\n}\n';
    expect(describe_(text)).to.equal(
      'line 4, column 3 (at: "0xab": { "balance": "0x1" }, ⏎ }): Expected double-quoted property name',
    );
  });

  it("a comma missing at a line's end: the next line's first item, after the line that lacks it", () => {
    const text = '{\n  "gasLimit": "0x1c9c380"\n  "timestamp": "0x0"\n}';
    expect(jsonSyntaxLocation(text, parseError(text))).to.deep.equal({
      line: 3,
      column: 3,
      excerpt: '"gasLimit": "0x1c9c380" ⏎ "',
      atEnd: false,
    });
  });

  it('finds the place of a message that names none ("Unexpected token"), without V8\'s own excerpt', () => {
    const text = '{\n  "codes": [1, 2,]\n}';
    // Node 20 gives no position for this one: the place is found by parsing prefixes.
    expect((parseError(text) as Error).message).not.to.match(/position/);
    expect(describe_(text)).to.equal("line 2, column 18 (at: \"codes\": [1, 2,]): Unexpected token ']'");
  });

  it("shortens a long line to the text just before the error, and counts CRLF lines", () => {
    const code = `0x${"60".repeat(500)}`;
    const text = `{\r\n"a": {"code": "${code}", "nonce": 0x1}\r\n}`;
    const location = jsonSyntaxLocation(text, parseError(text));
    expect(location?.line).to.equal(2);
    expect(location?.column).to.equal(`"a": {"code": "${code}", "nonce": 0x`.length);
    expect(location?.excerpt).to.equal(`…${`"${code}", "nonce": 0x`.slice(-40)}`);
  });

  it("an empty or cut-off file: its end", () => {
    expect(describe_("")).to.equal("line 1, column 1: Unexpected end of JSON input");
    // V8 names the offset past the end here, not "end of JSON input": the place is the last text.
    expect(describe_('{\n  "alloc": {\n')).to.equal(
      "line 2, column 13 (at: \"alloc\": {): Expected property name or '}' (the file ends there)",
    );
    expect(describe_('{"alloc": {"0xab": ')).to.equal(
      'line 1, column 19 (at: {"alloc": {"0xab":): Unexpected end of JSON input',
    );
  });

  it("text after the document", () => {
    expect(describe_('{"a": 1}}')).to.equal(
      'line 1, column 9 (at: {"a": 1}}): Unexpected non-whitespace character after JSON',
    );
  });

  it("finds a key given twice in one object, where JSON.parse keeps the last without a word", () => {
    const text = [
      "{",
      '  "config": { "chainId": 7, "note": "a \\"quoted\\" \\u0061lloc, { [" },',
      '  "list": [{ "a": 1 }, { "a": 2 }],',
      '  "alloc": {',
      '    "0xab": { "balance": "0x1" },',
      '    "0xcd": { "balance": "0x2", "nonce": "0x1" },',
      '    "0xab": { "balance": "0x3" }',
      "  }",
      "}",
    ].join("\n");
    expect(JSON.parse(text).alloc["0xab"].balance).to.equal("0x3");
    expect(firstDuplicateKey(text)).to.deep.equal({ path: ["alloc"], key: "0xab", line: 7, column: 5, firstLine: 5 });
    // The same key in two objects (two accounts, two array items) is no duplicate.
    expect(firstDuplicateKey(text.replace('"0xab": { "balance": "0x3" }', '"0xef": { "balance": "0x3" }'))).to.equal(
      undefined,
    );
    expect(firstDuplicateKey('{"a": [{"b": 1}, {"c": {"b": 2, "b": 3}}]}')).to.deep.equal({
      path: ["a", "1", "c"],
      key: "b",
      line: 1,
      column: 33,
      firstLine: 1,
    });
  });
});
