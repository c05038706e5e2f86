// The TypeScript loader of what runs from this repository's sources: `hardhat devnet` (from its
// task on), the L1 devnet's thread, the node's attester processes and check threads
// (rollup-node/cli.ts typescriptLoader), the tests and the processes they start (`node -r
// ./rollup-node/tsLoader.js rollup-node/node/cli.ts …`). ts-node (transpile-only) spends most of
// such a start transpiling the same sources again — ≈ 6 of 7 CPU seconds of a node start,
// measured — so every process and thread paid it again (docs/design/fast-tests.md,
// docs/design/startup-time.md). This loader transpiles each file once with TypeScript's own
// `transpileModule` (the compiler options of tsconfig.json) and keeps the output in a cache folder
// keyed by the file's path and content, the TypeScript version and tsconfig.json: a later start
// only reads it back, and an edited file is transpiled afresh. TypeScript itself is loaded only on
// a cache miss. As under ts-node --transpile-only, nothing is type-checked here (tsc --noEmit
// does that).

const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const Module = require("node:module");
const vm = require("node:vm");

const ROOT = path.resolve(__dirname, "..");
const TSCONFIG = path.join(ROOT, "tsconfig.json");
/** The cache folder; NATIVE_ROLLUP_TS_CACHE moves it (a CI cache, a test of the loader). */
const CACHE_DIR =
  process.env.NATIVE_ROLLUP_TS_CACHE ??
  path.join(os.tmpdir(), `native-rollup-ts-cache-${process.getuid?.() ?? "user"}`);

let typescript;
let cacheUsable;
let compilerOptions;
let keyPrefix;

/** What every entry's key starts with: the loader's inputs other than the file itself. */
function cacheKeyPrefix() {
  if (keyPrefix === undefined) {
    const tsVersion = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
    keyPrefix = `${tsVersion}\0${fs.readFileSync(TSCONFIG, "utf8")}\0${fs.readFileSync(__filename, "utf8")}\0`;
  }
  return keyPrefix;
}

/** tsconfig.json's compiler options as TypeScript reads them, with the output this loader needs. */
function loadCompilerOptions() {
  typescript ??= require("typescript");
  if (compilerOptions === undefined) {
    const read = typescript.readConfigFile(TSCONFIG, typescript.sys.readFile);
    if (read.error !== undefined)
      throw new Error(typescript.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    const parsed = typescript.parseJsonConfigFileContent(read.config, typescript.sys, ROOT);
    compilerOptions = {
      ...parsed.options,
      module: typescript.ModuleKind.CommonJS,
      noEmit: false,
      declaration: false,
      sourceMap: false,
      // The output runs in the source's place, not under tsconfig's outDir: with outDir the map's
      // `sources` would be relative to a dist/ folder, and a trace would name another path.
      outDir: undefined,
      rootDir: undefined,
      // Stack traces name the TypeScript lines (process.setSourceMapsEnabled below).
      inlineSourceMap: true,
      inlineSources: false,
    };
  }
  return compilerOptions;
}

/**
 * Whether the cache folder can be trusted: this user's own, writable by no one else. Its entries
 * are run as code, and their names are predictable from public sources: in a folder another user
 * could write to (a shared temporary folder), a planted entry would run as this user. Anything
 * else — the folder belongs to someone else, or is open to others — disables the cache.
 */
function cacheIsUsable() {
  if (cacheUsable === undefined) {
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
      const folder = fs.lstatSync(CACHE_DIR);
      cacheUsable =
        folder.isDirectory() &&
        (typeof process.getuid !== "function" || folder.uid === process.getuid()) &&
        (folder.mode & 0o022) === 0;
    } catch {
      cacheUsable = false;
    }
  }
  return cacheUsable;
}

/** The cache entry of one file's output (its path in the cache folder). */
function entryPath(filename, source) {
  const key = crypto.createHash("sha256").update(cacheKeyPrefix()).update(filename).update("\0").update(source);
  return path.join(CACHE_DIR, `${key.digest("hex")}.js`);
}

/** The CommonJS output for one file: read back from the cache, or transpiled and written there. */
function transpiled(filename, source) {
  if (!cacheIsUsable()) return transpileSource(filename, source);
  const cached = entryPath(filename, source);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // Not cached yet: transpile below.
  }
  const output = transpileSource(filename, source);
  writeEntry(cached, output);
  return output;
}

/**
 * Writes a cache entry under a name of its own, then renames it: a process reading the entry
 * sees all of it or none. A cache that cannot be written only costs the next start the work again.
 */
function writeEntry(file, data) {
  const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true });
  }
}

/**
 * Transpiles into the cache, now and in this process, those of `files` it does not hold; returns
 * how many. On a fresh checkout the processes and threads a test run starts first would each
 * transpile what they load: the same file in several of them at once, each with TypeScript's
 * compiler cold, ≈ twice the CPU of one pass (docs/design/fast-tests.md, round 31b). With every
 * entry present it only reads and hashes the files.
 */
function warmCache(files) {
  if (!cacheIsUsable()) return 0;
  let written = 0;
  for (const file of files) {
    const source = fs.readFileSync(file, "utf8");
    const cached = entryPath(file, source);
    if (fs.existsSync(cached)) continue;
    writeEntry(cached, transpileSource(file, source));
    written += 1;
  }
  return written;
}

function transpileSource(filename, source) {
  const options = loadCompilerOptions();
  return typescript.transpileModule(source, { fileName: filename, compilerOptions: options }).outputText;
}

process.setSourceMapsEnabled(true);

// Source maps are for the TypeScript sources' stack traces. With them on, Node also reads the map
// of every package file that names one (ethers, EthereumJS, ffjavascript, …) as it compiles the
// file: the .map file read and parsed, the file's line lengths counted. That is ≈ a quarter of the
// CPU loading those packages takes (≈ 0.1-0.15 s), in every process and thread that loads them —
// each L1 devnet thread, node, attester and check thread a test run starts
// (docs/design/fast-tests.md, round 27). A package's frames show its JavaScript lines instead.
// Off only while a package file loads; `process.sourceMapsEnabled` is Node >= 20.7's (without it,
// every file is mapped, as before).
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const loadJavaScript = require.extensions[".js"];
require.extensions[".js"] = function loadJavaScriptUnmapped(module, filename) {
  if (!filename.includes(NODE_MODULES)) return loadJavaScript(module, filename);
  // Node's own `.js` loader still reads the file and decides its format; only the compile of
  // this one module goes through V8's code cache (below).
  module._compile = compileWithCodeCache;
  const mapped = process.sourceMapsEnabled === true;
  if (mapped) process.setSourceMapsEnabled(false);
  try {
    return loadJavaScript(module, filename);
  } finally {
    if (mapped) process.setSourceMapsEnabled(true);
    Reflect.deleteProperty(module, "_compile");
  }
};

// V8's code cache for package files. Node 20 compiles every module from its text again in each
// process and thread (`module.enableCompileCache` is Node 22's); a package file's compiled code
// kept beside the transpiled sources (same folder, same trust rule) makes loading ethers,
// EthereumJS and ffjavascript ≈ 4-10 % cheaper in the L1 threads, node, attester and check
// processes a test run starts (docs/design/fast-tests.md, round 28a). Package files only: a
// script compiled by `vm` gets no source map, and the TypeScript sources' stack traces need
// theirs; a package's frames name its JavaScript either way (above).
const CODE_CACHE_SUFFIX = ".v8";
/** An entry of this size marks a file Node compiles itself (ES module syntax under `require`). */
const NODE_COMPILES = 0;

/**
 * V8 rejects cached data made under other flags: processes started with other Node options
 * (a heap limit, say) keep entries of their own instead of rewriting one another's. The modules
 * a process preloads (`-r`, this loader among them) change no flag, and are left out.
 */
function nodeFlags() {
  const flags = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i];
    if (arg === "-r" || arg === "--require") i++;
    else if (!arg.startsWith("--require=")) flags.push(arg);
  }
  return `${flags.join(" ")}\0${process.env.NODE_OPTIONS ?? ""}`;
}
const NODE_FLAGS = nodeFlags();

function codeCachePath(filename, content) {
  const key = crypto
    .createHash("sha256")
    .update(`${process.version}\0${process.arch}\0${NODE_FLAGS}\0${filename}\0`)
    .update(content)
    .digest("hex");
  return path.join(CACHE_DIR, `${key}${CODE_CACHE_SUFFIX}`);
}

/** `require` for a module compiled here, as Node makes it for the modules it compiles. */
function requireFor(module) {
  const requireFromModule = (id) => module.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  requireFromModule.resolve = resolve;
  requireFromModule.main = process.mainModule;
  requireFromModule.extensions = Module._extensions;
  requireFromModule.cache = Module._cache;
  return requireFromModule;
}

/** Module.prototype._compile for one package file, with V8's cached data when the cache has it. */
function compileWithCodeCache(content, filename) {
  if (!cacheIsUsable()) return Module.prototype._compile.call(this, content, filename);
  const entry = codeCachePath(filename, content);
  let cachedData;
  try {
    cachedData = fs.readFileSync(entry);
  } catch {
    // Not cached yet: compiled below, and the entry written after the module has run.
  }
  if (cachedData?.length === NODE_COMPILES) return Module.prototype._compile.call(this, content, filename);
  let script;
  try {
    script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  } catch {
    // ES module syntax (Node loads such a file as a module under `require`) or a real syntax
    // error: Node's own compile does either right, and reports the error as it would.
    if (cachedData === undefined) writeEntry(entry, Buffer.alloc(NODE_COMPILES));
    return Module.prototype._compile.call(this, content, filename);
  }
  const wrapper = script.runInThisContext({ displayErrors: true });
  const result = wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  // After the module's body ran: the cache then holds the functions its load compiled as well.
  if (cachedData === undefined || script.cachedDataRejected === true) writeEntry(entry, script.createCachedData());
  return result;
}

require.extensions[".ts"] = function loadTypeScript(module, filename) {
  // A TypeScript file a package file requires while its map is off (a Hardhat plugin's config, say).
  const off = process.sourceMapsEnabled === false;
  if (off) process.setSourceMapsEnabled(true);
  try {
    module._compile(transpiled(filename, fs.readFileSync(filename, "utf8")), filename);
  } finally {
    if (off) process.setSourceMapsEnabled(false);
  }
};

module.exports = { warmCache };
