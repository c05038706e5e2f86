import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";

import { expect } from "chai";
import { Wallet, encryptKeystoreJson } from "ethers";

import { DEV_MNEMONIC, deriveDevAccounts } from "../../../rollup-node/chain/devAccounts";
import {
  KeyError,
  SecretKey,
  keyEnvNames,
  keyFromHardhatAccounts,
  loadRoleKey,
  resolveRoleKey,
  taskSigningKey,
} from "../../../rollup-node/node/keySources";

const OWN_KEY = Wallet.createRandom().privateKey;
const DEV_KEY = deriveDevAccounts(1)[0]?.privateKey as string;
const DEVNET_L1 = 1337n;
const OTHER_L1 = 31337n;

async function expectKeyError(run: () => Promise<unknown>, code: string): Promise<KeyError> {
  try {
    await run();
  } catch (error) {
    expect(error).to.be.instanceOf(KeyError);
    expect((error as KeyError).code).to.equal(code);
    expect((error as KeyError).hint)
      .to.be.a("string")
      .and.not.equal("");
    return error as KeyError;
  }
  expect.fail(`expected a KeyError ${code}`);
}

describe("key loading: one module, every source, every refusal", function () {
  this.timeout(60_000);
  let dir: string;
  let keystore: string;
  const password = "correct horse battery staple";
  const keystoreWallet = Wallet.createRandom();

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "keys-"));
    keystore = path.join(dir, "sequencer.json");
    // A light scrypt: the test is about the source, not about the key derivation's cost.
    await writeFile(
      keystore,
      await encryptKeystoreJson({ address: keystoreWallet.address, privateKey: keystoreWallet.privateKey }, password, {
        scrypt: { N: 1 << 10 },
      }),
    );
    await writeFile(path.join(dir, "password.txt"), `${password}\n`);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names one environment variable per role", () => {
    expect(
      ["deployer", "sequencer", "relayer", "challenger", "attester"].map((r) => keyEnvNames(r as "sequencer").key),
    ).to.deep.equal([
      "NATIVE_ROLLUP_DEPLOYER_KEY",
      "NATIVE_ROLLUP_SEQUENCER_KEY",
      "NATIVE_ROLLUP_RELAYER_KEY",
      "NATIVE_ROLLUP_CHALLENGER_KEY",
      "NATIVE_ROLLUP_ATTESTER_KEY",
    ]);
  });

  it("reads a role's key from its environment variable", async () => {
    const key = await loadRoleKey("sequencer", { env: { NATIVE_ROLLUP_SEQUENCER_KEY: OWN_KEY } });
    expect(key?.address).to.equal(new Wallet(OWN_KEY).address);
    expect(key?.source).to.equal("env");
    expect(key?.reveal()).to.equal(OWN_KEY.toLowerCase());
  });

  it("returns nothing when no source is configured (the caller decides about dev keys)", async () => {
    expect(await loadRoleKey("relayer", { env: {} })).to.equal(undefined);
  });

  it("decrypts a keystore with its password from an environment variable", async () => {
    const key = await loadRoleKey("sequencer", {
      env: { NATIVE_ROLLUP_SEQUENCER_KEYSTORE: keystore, NATIVE_ROLLUP_SEQUENCER_KEYSTORE_PASSWORD: password },
    });
    expect(key?.address).to.equal(keystoreWallet.address);
    expect(key?.source).to.equal("keystore");
  });

  it("decrypts a keystore with its password from a file (the trailing newline is not part of it)", async () => {
    const key = await loadRoleKey("sequencer", {
      keystoreFile: keystore,
      env: { NATIVE_ROLLUP_SEQUENCER_KEYSTORE_PASSWORD_FILE: path.join(dir, "password.txt") },
    });
    expect(key?.address).to.equal(keystoreWallet.address);
  });

  it("refuses a keystore without a password, with a wrong password, or that does not exist", async () => {
    await expectKeyError(
      () => loadRoleKey("sequencer", { env: { NATIVE_ROLLUP_SEQUENCER_KEYSTORE: keystore } }),
      "KEYSTORE_PASSWORD_MISSING",
    );
    await expectKeyError(
      () =>
        loadRoleKey("sequencer", {
          env: { NATIVE_ROLLUP_SEQUENCER_KEYSTORE: keystore, NATIVE_ROLLUP_SEQUENCER_KEYSTORE_PASSWORD: "wrong" },
        }),
      "KEYSTORE_DECRYPT_FAILED",
    );
    await expectKeyError(
      () =>
        loadRoleKey("sequencer", {
          env: {
            NATIVE_ROLLUP_SEQUENCER_KEYSTORE: path.join(dir, "missing.json"),
            NATIVE_ROLLUP_SEQUENCER_KEYSTORE_PASSWORD: password,
          },
        }),
      "KEYSTORE_UNREADABLE",
    );
  });

  it("refuses a malformed key and a key given twice", async () => {
    await expectKeyError(
      () => loadRoleKey("relayer", { env: { NATIVE_ROLLUP_RELAYER_KEY: "0x1234" } }),
      "KEY_MALFORMED",
    );
    await expectKeyError(
      () =>
        loadRoleKey("relayer", {
          env: { NATIVE_ROLLUP_RELAYER_KEY: OWN_KEY, NATIVE_ROLLUP_RELAYER_KEYSTORE: keystore },
        }),
      "KEY_AMBIGUOUS",
    );
  });

  it("takes Hardhat's network accounts: a private key list or an HD mnemonic", () => {
    expect(keyFromHardhatAccounts("deployer", [OWN_KEY]).address).to.equal(new Wallet(OWN_KEY).address);
    expect(keyFromHardhatAccounts("deployer", [{ privateKey: OWN_KEY }]).source).to.equal("hardhat");
    const phrase = Wallet.createRandom().mnemonic?.phrase as string;
    const fromHd = keyFromHardhatAccounts(
      "deployer",
      { mnemonic: phrase, path: "m/44'/60'/0'/0", initialIndex: 0, passphrase: "" },
      1,
    );
    expect(fromHd.source).to.equal("hardhat");
    expect(fromHd.isDevKey).to.equal(false);
    const dev = keyFromHardhatAccounts("deployer", {
      mnemonic: DEV_MNEMONIC,
      path: "m/44'/60'/0'/0",
      initialIndex: 0,
      passphrase: "",
    });
    expect(dev.source).to.equal("dev");
    expect(dev.isDevKey).to.equal(true);
    expect(() => keyFromHardhatAccounts("deployer", "remote"))
      .to.throw(KeyError)
      .with.property("code", "KEY_MISSING");
  });

  it("uses the dev key on the devnet's L1 when none is configured", async () => {
    const key = await resolveRoleKey(
      "sequencer",
      { l1ChainId: DEVNET_L1, dev: false, devFallback: DEV_KEY },
      { env: {} },
    );
    expect(key.source).to.equal("dev");
  });

  it("refuses the dev mnemonic on any other L1, whether as a fallback or configured, unless --dev", async () => {
    await expectKeyError(
      () => resolveRoleKey("sequencer", { l1ChainId: OTHER_L1, dev: false, devFallback: DEV_KEY }, { env: {} }),
      "KEY_MISSING",
    );
    const refused = await expectKeyError(
      () =>
        resolveRoleKey(
          "sequencer",
          { l1ChainId: OTHER_L1, dev: false },
          { env: { NATIVE_ROLLUP_SEQUENCER_KEY: DEV_KEY } },
        ),
      "DEV_KEY_REFUSED",
    );
    expect(refused.hint).to.include("--dev");
    const allowed = await resolveRoleKey(
      "sequencer",
      { l1ChainId: OTHER_L1, dev: true, devFallback: DEV_KEY },
      { env: {} },
    );
    expect(allowed.isDevKey).to.equal(true);
  });

  it("takes a non-dev key on any L1", async () => {
    const key = await resolveRoleKey(
      "challenger",
      { l1ChainId: OTHER_L1, dev: false },
      { env: { NATIVE_ROLLUP_CHALLENGER_KEY: OWN_KEY } },
    );
    expect(key.isDevKey).to.equal(false);
  });

  it("the tasks sign with the l1 network's accounts, refusing the dev mnemonic's off the devnet unless --dev", async () => {
    const devAccounts = { mnemonic: DEV_MNEMONIC, path: "m/44'/60'/0'/0", initialIndex: 0, passphrase: "" };
    expect((await taskSigningKey(devAccounts, DEVNET_L1, { index: 2, dev: false, env: {} })).address).to.equal(
      deriveDevAccounts(3)[2]?.address,
    );
    await expectKeyError(
      () => taskSigningKey(devAccounts, OTHER_L1, { index: 0, dev: false, env: {} }),
      "DEV_KEY_REFUSED",
    );
    expect((await taskSigningKey(devAccounts, OTHER_L1, { index: 0, dev: true, env: {} })).isDevKey).to.equal(true);
    expect((await taskSigningKey([OWN_KEY], OTHER_L1, { index: 0, dev: false, env: {} })).address).to.equal(
      new Wallet(OWN_KEY).address,
    );
    // NATIVE_ROLLUP_USER_KEY wins over the network's accounts.
    expect(
      (await taskSigningKey(devAccounts, OTHER_L1, { index: 0, dev: false, env: { NATIVE_ROLLUP_USER_KEY: OWN_KEY } }))
        .source,
    ).to.equal("env");
  });

  it("never prints the private key: String, JSON, inspect and errors show the address only", async () => {
    const key = new SecretKey(OWN_KEY, "sequencer", "env");
    const digits = OWN_KEY.slice(2).toLowerCase();
    for (const shown of [String(key), `${key}`, JSON.stringify({ key }), inspect(key), inspect({ nested: { key } })]) {
      expect(shown.toLowerCase()).to.not.include(digits);
      expect(shown).to.include(key.address);
    }
    const error = await expectKeyError(
      () =>
        resolveRoleKey(
          "sequencer",
          { l1ChainId: OTHER_L1, dev: false },
          { env: { NATIVE_ROLLUP_SEQUENCER_KEY: DEV_KEY } },
        ),
      "DEV_KEY_REFUSED",
    );
    expect(`${error.message} ${error.hint}`.toLowerCase()).to.not.include(DEV_KEY.slice(2).toLowerCase());
  });
});
