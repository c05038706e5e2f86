import { expect } from "chai";

import { MAX_LISTED_TRANSACTION_GAS, describeTransactionGas } from "../../precompiles/executionGuard";

describe("describeTransactionGas (the gas-mismatch messages' per-transaction list)", () => {
  it("lists each transaction's gas and the cumulative gas, by index", () => {
    expect(describeTransactionGas([21_000n, 270_121n, 5n])).to.equal(
      "gas of each transaction (cumulative): #0 21000 (21000), #1 270121 (291121), #2 5 (291126)",
    );
    expect(describeTransactionGas([])).to.equal("no transaction ran");
  });

  it("keeps a long block's first and last transactions and counts the ones between (a bounded message)", () => {
    const gas = Array.from({ length: 1_000 }, (_, i) => BigInt(21_000 + i));
    const text = describeTransactionGas(gas);
    const listed = text.match(/#\d+ /g) ?? [];
    expect(listed.length).to.equal(MAX_LISTED_TRANSACTION_GAS);
    expect(text).to.contain("#0 21000 (21000), #1 21001 (42001)");
    expect(text).to.contain(`… ${1_000 - MAX_LISTED_TRANSACTION_GAS} more …`);
    const total = gas.reduce((a, b) => a + b, 0n);
    expect(text.endsWith(`#999 21999 (${total})`)).to.equal(true);
  });
});
