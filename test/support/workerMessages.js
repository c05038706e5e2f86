// Loaded in each of mocha's parallel workers (hardhat.config.ts adds it to their `require`).
//
// A worker sends each file's results to the main process over its IPC channel (workerpool's
// `process.send`), which Node serializes with JSON.stringify. A failed assertion keeps its
// `actual` and `expected`, and chai's deep equality on values holding a BigInt made that
// stringify throw: the file's every result was lost, and the run said only "Uncaught error
// outside test suite: Do not know how to serialize a BigInt". Bigints are sent as their decimal
// text with an `n`, which is how the failure's diff shows them.

/** JSON.stringify's replacer: a bigint becomes its text, everything else is left to JSON. */
function bigintAsText(_key, value) {
  return typeof value === "bigint" ? `${value}n` : value;
}

if (typeof process.send === "function") {
  const send = process.send.bind(process);
  process.send = (message, ...rest) => send(JSON.parse(JSON.stringify(message, bigintAsText)), ...rest);
}

module.exports = { bigintAsText };
