// The layers of ARCHITECTURE.md as rules. `npm run check:layers` runs them over the import graph
// and test/architecture/layers.test.ts runs that check in `npm test`, so an import that breaks a
// layer fails CI. Every path below is relative to the repository root.
//
// A rule forbids, for the files in `from`, every import of project code that is not in the
// layer's allowed list (npm packages and Node's own modules are not project code; the SDK's npm
// imports have a rule of their own).

/** Project code a layer may never see from inside: its own folder is always allowed. */
const ANYTHING_BUT_PROJECT = ["^node_modules/"];

/**
 * One rule per layer: files matching `from` may import project files matching `allowed` only.
 * @param {string} name
 * @param {string} from
 * @param {string[]} allowed
 * @param {string} comment
 */
function layer(name, from, allowed, comment) {
  return {
    name,
    comment,
    severity: "error",
    from: { path: from },
    to: { dependencyTypesNot: ["core"], pathNot: [...ANYTHING_BUT_PROJECT, ...allowed] },
  };
}

// The folders, by the layer they sit in (ARCHITECTURE.md lists what each owns).
const PRECOMPILES = "^precompiles/";
const PROTOCOL = "^protocol/";
const TYPECHAIN = "^typechain-types/";
/** rollup-node/errors.ts, logger.ts, cli.ts, jsonSyntax.ts: the node's shared base (no folder of their own). */
const NODE_BASE = "^rollup-node/[^/]+\\.ts$";
const STORAGE = "^rollup-node/storage/";
const CHAIN = "^rollup-node/chain/";
const RPC = "^rollup-node/rpc/";
const PROVERS = "^rollup-node/provers/";
const BRIDGE = "^rollup-node/bridge/";
const L2 = "^rollup-node/l2/";
/** The types of a produced block: the seam between the sequencer (l2/) and its readers (bridge/, dashboard/). */
const L2_TYPES = "^rollup-node/l2/types\\.ts$";
const DASHBOARD = "^rollup-node/dashboard/";
/**
 * The derivation step (an L1-accepted block's body from calldata, executed and checked against
 * L1's hash): the follower's core, which the sequencer's rebase (l2/, bridge/) reuses rather than
 * write a second derivation (docs/design/rebase-and-takeover.md).
 */
const DERIVATION = "^rollup-node/follower/(derive|blockBody|events|errors)\\.ts$";
const FOLLOWER = "^rollup-node/follower/";
const NODE = "^rollup-node/node/";
const CONFORMANCE = "^rollup-node/conformance/";
const DEVNET = "^rollup-node/devnet/";
const DEPLOY = "^deploy/";
const SDK = "^sdk/";
const TASKS = "^tasks/";
const TOOLS = "^tools/";
const SCRIPTS = "^scripts/";
const ALL_NODE = "^rollup-node/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    layer(
      "precompiles-is-the-bottom",
      PRECOMPILES,
      [PRECOMPILES],
      "EXECUTE is a pure library: it imports no other project code.",
    ),
    layer(
      "protocol-is-shared-data",
      PROTOCOL,
      [PROTOCOL, TYPECHAIN],
      "protocol/ is what node, SDK, tasks and tests share: it depends on ethers and the TypeChain types only.",
    ),
    layer(
      "node-base",
      NODE_BASE,
      [NODE_BASE, PROTOCOL],
      "The node's error base (a protocol CodedError), logger and CLI helpers sit under every node folder.",
    ),
    layer(
      "storage",
      STORAGE,
      [STORAGE, NODE_BASE, PRECOMPILES, PROTOCOL],
      "storage/ persists key-value data; it knows no chain.",
    ),
    layer(
      "chain",
      CHAIN,
      [CHAIN, NODE_BASE, PRECOMPILES, PROTOCOL, STORAGE],
      "chain/ is the L2 execution core: blocks, state, tracing, the pool.",
    ),
    layer(
      "rpc",
      RPC,
      [RPC, CHAIN, NODE_BASE, PRECOMPILES, PROTOCOL],
      "rpc/ serves JSON-RPC over an RpcBackend; it knows the chain, not the node.",
    ),
    layer(
      "provers",
      PROVERS,
      [PROVERS, NODE_BASE, PRECOMPILES, PROTOCOL],
      "provers/ makes execution proofs; it knows EXECUTE only.",
    ),
    layer(
      "bridge",
      BRIDGE,
      [BRIDGE, CHAIN, RPC, L2_TYPES, DERIVATION, NODE_BASE, PRECOMPILES, PROTOCOL, TYPECHAIN],
      "bridge/ talks to L1: submit, challenge, finalize, watch.",
    ),
    layer(
      "l2",
      L2,
      [L2, CHAIN, RPC, BRIDGE, DERIVATION, STORAGE, NODE_BASE, PRECOMPILES, PROTOCOL, TYPECHAIN],
      "l2/ sequences: mempool, block production, the L2 RPC.",
    ),
    layer(
      "dashboard",
      DASHBOARD,
      [DASHBOARD, CHAIN, BRIDGE, RPC, L2_TYPES, NODE_BASE, PRECOMPILES, PROTOCOL, TYPECHAIN],
      "dashboard/ reads and shows (the chain's blocks and receipts for its transaction view); it drives nothing.",
    ),
    layer(
      "follower",
      FOLLOWER,
      [FOLLOWER, CHAIN, RPC, BRIDGE, L2, DASHBOARD, STORAGE, NODE_BASE, PRECOMPILES, PROTOCOL, TYPECHAIN],
      "follower/ derives L2 from L1 without sequencing.",
    ),
    layer(
      "node",
      NODE,
      [
        NODE,
        CHAIN,
        RPC,
        PROVERS,
        BRIDGE,
        L2,
        DASHBOARD,
        FOLLOWER,
        STORAGE,
        NODE_BASE,
        PRECOMPILES,
        PROTOCOL,
        TYPECHAIN,
        DEPLOY,
      ],
      "node/ wires the components into one rollup node; it never imports the devnet.",
    ),
    layer(
      "conformance",
      CONFORMANCE,
      [CONFORMANCE, CHAIN, RPC, NODE_BASE, PRECOMPILES, PROTOCOL],
      "conformance/ runs the execution-apis suite against the chain core and the RPC.",
    ),
    layer(
      "devnet-is-a-leaf-of-the-node",
      DEVNET,
      [ALL_NODE, PRECOMPILES, PROTOCOL, TYPECHAIN, DEPLOY],
      "devnet/ composes L1 and node into a dev environment.",
    ),
    layer(
      "deploy",
      DEPLOY,
      [DEPLOY, NODE_BASE, PRECOMPILES, PROTOCOL, TYPECHAIN],
      "deploy/ puts the contracts on L1; it knows no node internals.",
    ),
    layer(
      "sdk-is-apart",
      SDK,
      [SDK, PROTOCOL, TYPECHAIN],
      "The SDK depends on protocol/, ethers and the TypeChain types only.",
    ),
    layer(
      "tasks",
      TASKS,
      [TASKS, ALL_NODE, PRECOMPILES, PROTOCOL, TYPECHAIN, DEPLOY, SDK],
      "Hardhat tasks sit on top of the framework; they import no tests, tools or scripts.",
    ),
    layer(
      "tools",
      TOOLS,
      [TOOLS, ALL_NODE, PRECOMPILES, PROTOCOL, TYPECHAIN, DEPLOY, SDK],
      "tools/ (fixtures, fuzzer, test chains) serves scripts and tests; it imports neither.",
    ),
    layer(
      "scripts",
      SCRIPTS,
      [SCRIPTS, TOOLS, ALL_NODE, PRECOMPILES, PROTOCOL, TYPECHAIN, DEPLOY, SDK, TASKS],
      "scripts/ (benches, fuzz, conformance, packing) never import test/.",
    ),
    layer("examples", "^examples/", ["^examples/", SDK, PROTOCOL, TYPECHAIN], "Examples use the SDK as a user would."),
    {
      name: "nothing-imports-test",
      comment: "test/ is the top: no production code, tool or script imports a test file.",
      severity: "error",
      from: { pathNot: "^test/" },
      to: { path: "^test/" },
    },
    {
      name: "precompiles-through-its-index",
      comment: "Outside precompiles/ (and white-box tests), EXECUTE is used through precompiles/index.ts only.",
      severity: "error",
      from: { pathNot: ["^precompiles/", "^test/"] },
      // verify.ts: the light door for worker threads (stateless verification without the proof path);
      // abi.ts: EXECUTE's address and error codes, for callers that never run it (deploy/, tasks).
      to: { path: "^precompiles/", pathNot: "^precompiles/(index|verify|abi)\\.ts$" },
    },
    {
      name: "sdk-npm-is-ethers-only",
      comment: "The SDK ships to applications: ethers is its only package.",
      severity: "error",
      from: { path: SDK },
      to: {
        dependencyTypes: ["npm", "npm-dev", "npm-optional", "npm-peer", "npm-no-pkg", "npm-unknown"],
        pathNot: "^node_modules/ethers/",
      },
    },
    {
      name: "no-unresolvable-imports",
      comment: "An import that does not resolve is a broken build waiting to happen.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|artifacts|cache|dist)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    // The pinned @types and ethers are resolved like tsc does.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
