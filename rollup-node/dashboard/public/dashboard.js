// The dashboard's client: renders the node's snapshot (rollup-node/dashboard/types.ts) and keeps
// it live. Server-sent events first; while the stream is down it polls /api/dashboard every second.

(() => {
  const POLL_MS = 1000;
  const L1_TO_L2_STEPS = ["queued", "anchored", "relayed"];
  const L2_TO_L1_STEPS = ["initiated", "provable", "finalized"];
  const seen = { blocks: new Set(), l1: new Map(), l2: new Map() };
  let firstRender = true;
  let pollTimer;

  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat("en-US");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function short(hash) {
    return hash.length > 14 ? `${hash.slice(0, 8)}…${hash.slice(-4)}` : hash;
  }

  function hashCell(hash) {
    const td = el("td", "hash");
    const code = el("code", "", short(hash));
    code.title = hash;
    td.append(code);
    return td;
  }

  function num(value, suffix) {
    return value === null || value === undefined ? "–" : fmt.format(value) + (suffix || "");
  }

  function eth(wei) {
    const value = BigInt(wei);
    const whole = value / 10n ** 18n;
    const fraction = (value % 10n ** 18n).toString().padStart(18, "0").slice(0, 6).replace(/0+$/, "");
    return `${fmt.format(whole)}${fraction ? "." + fraction : ""} ETH`;
  }

  function badge(text, kind) {
    return el("span", `badge badge-${kind}`, text);
  }

  function cell(className, content) {
    const td = el("td", className);
    if (content instanceof Node) td.append(content);
    else td.textContent = content;
    return td;
  }

  /** Three steps, the reached ones filled: queued → anchored → relayed. */
  function steps(all, current) {
    const wrap = el("span", "steps");
    const reached = all.indexOf(current);
    all.forEach((step, i) => {
      if (i > 0) wrap.append(el("span", "arrow", "→"));
      const state = i < reached ? "done" : i === reached ? (i === all.length - 1 ? "complete" : "current") : "todo";
      wrap.append(el("span", `step ${state}`, step));
    });
    if (reached < 0) wrap.append(badge(current, "muted"));
    return wrap;
  }

  function fill(tableId, emptyId, rows) {
    const body = $(tableId).tBodies[0];
    body.replaceChildren(...rows);
    $(emptyId).hidden = rows.length > 0;
    $(tableId).hidden = rows.length === 0;
  }

  function markFresh(row, isNew) {
    if (isNew && !firstRender) row.classList.add("fresh");
  }

  const STATUS_KIND = { final: "ok", provisional: "warn", challenged: "bad" };

  function blockRow(b) {
    const row = el("tr");
    row.dataset.number = b.number;
    row.dataset.status = b.status;
    row.append(
      cell("num", num(b.number)),
      hashCell(b.hash),
      cell("num", num(b.transactions)),
      cell("num", num(b.consumedMessages)),
    );
    const status = cell("", badge(b.status, STATUS_KIND[b.status] || "muted"));
    if (b.secondsToFinal !== null && b.secondsToFinal !== undefined) {
      // By the L1 clock the contract uses: 0 means the window closed and anyone may finalize it.
      status.append(
        el(
          "span",
          "time-to-final",
          b.secondsToFinal > 0 ? `final in ${fmt.format(b.secondsToFinal)} s` : "finalizable now",
        ),
      );
    }
    row.append(status);
    const how = el("span", `how how-${b.mode}`, b.label);
    if (b.provenBy.length > 0) how.title = `proofs from ${b.provenBy.join(", ")}`;
    else if (b.proofKeys.length > 0) how.title = b.proofKeys.join("\n");
    if (b.challenge) how.title = `EXECUTE code ${b.challenge.code}: ${b.challenge.reason}`;
    row.append(cell("", how));
    const execute = cell("num execute-gas", num(b.executeGas));
    execute.dataset.value = b.executeGas === null ? "" : String(b.executeGas);
    const witness = cell("num witness", num(b.witnessBytes, " B"));
    witness.dataset.value = b.witnessBytes === null ? "" : String(b.witnessBytes);
    const l1Block = cell("num", num(b.l1BlockNumber));
    l1Block.title = b.l1TransactionHash;
    row.append(execute, cell("num", num(b.l1GasUsed)), witness, l1Block);
    markFresh(row, !seen.blocks.has(b.hash));
    return row;
  }

  /**
   * queued → anchored → relayed; a message whose call failed stops at "failed" (red) with its
   * revert reason, since waiting will not relay it (it needs a retry or a refund).
   */
  function messageSteps(m) {
    if (m.status !== "failed" && m.status !== "refunded") return steps(L1_TO_L2_STEPS, m.status);
    const wrap = steps(L1_TO_L2_STEPS, "anchored");
    wrap.lastChild.className = "step done";
    wrap.append(el("span", "arrow", "→"), badge(m.status, m.status === "failed" ? "bad" : "muted"));
    const why = m.failureReason === "deferred" ? "deferred: its block could not carry the call" : m.revertReason;
    if (why) {
      const reason = el("span", "revert-reason", why);
      reason.title =
        m.status === "failed"
          ? "anyone may retry it (npx hardhat rollup:retry-message); its sender may refund it"
          : "its value was refunded";
      wrap.append(reason);
    }
    return wrap;
  }

  function l1ToL2Row(m) {
    const row = el("tr");
    row.dataset.nonce = m.nonce;
    row.dataset.status = m.status;
    const to = hashCell(m.to);
    row.append(cell("num", num(m.nonce)), cell("", m.kind), cell("num", eth(m.value)), to, cell("", messageSteps(m)));
    row.append(cell("num", num(m.relayedInL2Block ?? m.anchoredInL2Block)));
    markFresh(row, seen.l1.get(m.nonce) !== m.status);
    return row;
  }

  function l2ToL1Row(m) {
    const row = el("tr");
    row.dataset.hash = m.messageHash;
    row.dataset.status = m.status;
    row.append(
      cell("num", num(m.nonce)),
      cell("num", eth(m.value)),
      hashCell(m.to),
      cell("", steps(L2_TO_L1_STEPS, m.status)),
      cell("num", num(m.l2BlockNumber)),
    );
    markFresh(row, seen.l2.get(m.messageHash) !== m.status);
    return row;
  }

  /** The header's account of how blocks are accepted. */
  function modeText(mode) {
    if (!mode) return "";
    if (mode.kind === "optimistic") return `optimistic, challenge window ${fmt.format(mode.challengeWindow)} s`;
    if (mode.kind === "proofs")
      return `proofs ${mode.threshold} of ${mode.keys}${mode.allowReexecution ? ", or re-execution" : ""}`;
    return "re-execution by EXECUTE";
  }

  function render(s) {
    // Until the first snapshot the page shows "Loading", never an empty list that is not empty.
    $("loading").hidden = true;
    document.querySelector("main").hidden = false;
    document.body.dataset.loaded = "true";
    $("rollup-address").textContent = s.rollup.address;
    $("l1-chain").textContent = s.rollup.l1ChainId;
    $("l2-chain").textContent = s.rollup.l2ChainId;
    $("l1-head").textContent = num(s.heads.l1);
    $("l2-head").textContent = num(s.heads.l2);
    $("l2-head-hash").textContent = short(s.heads.l2Hash);
    $("l2-head-hash").title = s.heads.l2Hash;
    // safe: final on the rollup; finalized: final on the rollup as of a final L1 block (null: the node has no such label).
    for (const tag of ["safe", "finalized"]) {
      const number = s.heads[tag];
      const hash = s.heads[`${tag}Hash`];
      $(`${tag}-head`).textContent = number === null || number === undefined ? "–" : num(number);
      $(`${tag}-head-hash`).textContent = hash ? short(hash) : "";
      $(`${tag}-head-hash`).title = hash || "";
    }
    $("accepted-head").textContent = num(s.heads.accepted);
    $("accepted-head-hash").textContent = short(s.heads.acceptedHash);
    $("accepted-head-hash").title = s.heads.acceptedHash;
    // The count beside the list: messages no L2 block anchored yet (the list's "queued" rows).
    const notFinal = s.heads.pendingL1Messages - s.heads.l1MessagesAwaitingL2;
    $("pending-messages").textContent = `${num(s.heads.l1MessagesAwaitingL2)} waiting`;
    $("message-count").textContent =
      `${num(s.heads.l1MessageCount)} queued in total${notFinal > 0 ? ` · ${num(notFinal)} relayed, not final on L1` : ""}`;
    // The node's L1: nothing to say while it answers; else since when and why, in red (the figures are its last read).
    $("l1-health").textContent = s.rollup.l1State === "ok" ? "" : s.rollup.l1Detail;
    $("l1-health").classList.toggle("bad-text", s.rollup.l1State !== "ok");
    $("mode").textContent = modeText(s.rollup.mode);
    $("submitter").replaceChildren(
      badge(
        s.rollup.submitter,
        s.rollup.submitter === "running" ? "ok" : s.rollup.submitter === "halted" ? "bad" : "muted",
      ),
    );
    // A halt is the one thing the operator must act on: its reason and what to do, in red.
    $("submitter-error").textContent = s.rollup.submitterError
      ? `${s.rollup.submitterError}${s.rollup.submitterHint ? ` — ${s.rollup.submitterHint}` : ""}`
      : "";
    $("submitter-error").classList.toggle("bad-text", s.rollup.submitter === "halted");
    // A node that challenges: whom it challenges as, and its alerts (a proposal near its window's end, unsettled) in red.
    const challenger = s.rollup.challenger;
    $("challenger-card").hidden = challenger === undefined;
    $("challenger").textContent =
      challenger === undefined
        ? "–"
        : `${challenger.address ?? "?"}: ${num(challenger.pending)} pending, ${num(challenger.won)} won`;
    $("challenger-alerts").textContent = (s.rollup.challengerAlerts ?? []).join(" · ");
    $("challenger-alerts").classList.toggle("bad-text", (s.rollup.challengerAlerts ?? []).length > 0);

    fill("blocks", "blocks-empty", s.blocks.map(blockRow));
    fill("l1-to-l2", "l1-to-l2-empty", s.l1ToL2.map(l1ToL2Row));
    fill("l2-to-l1", "l2-to-l1-empty", s.l2ToL1.map(l2ToL1Row));
    s.blocks.forEach((b) => seen.blocks.add(b.hash));
    s.l1ToL2.forEach((m) => seen.l1.set(m.nonce, m.status));
    s.l2ToL1.forEach((m) => seen.l2.set(m.messageHash, m.status));
    firstRender = false;

    $("updated").textContent = new Date(s.generatedAt).toLocaleTimeString();
    $("reason").textContent = s.reason === "request" ? "" : `(${s.reason})`;
    document.body.dataset.generatedAt = String(s.generatedAt);
  }

  function setTransport(mode, text, kind) {
    document.body.dataset.transport = mode;
    const badgeNode = $("connection");
    badgeNode.className = `badge badge-${kind}`;
    badgeNode.textContent = text;
  }

  async function pollOnce() {
    try {
      const response = await fetch("/api/dashboard", { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      render(await response.json());
    } catch (error) {
      setTransport("polling", `node unreachable, retrying (${error.message})`, "bad");
    }
  }

  function startPolling() {
    if (pollTimer !== undefined) return;
    setTransport("polling", "stream lost · polling every 1 s", "warn");
    void pollOnce();
    pollTimer = setInterval(pollOnce, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer !== undefined) clearInterval(pollTimer);
    pollTimer = undefined;
  }

  function connect() {
    if (typeof EventSource === "undefined") {
      startPolling();
      return;
    }
    const source = new EventSource("/events");
    source.addEventListener("snapshot", (event) => render(JSON.parse(event.data)));
    source.addEventListener("open", () => {
      stopPolling();
      setTransport("sse", "live", "ok");
    });
    // EventSource reconnects by itself (the server asks for 1 s); poll until it is back.
    source.addEventListener("error", () => startPolling());
  }

  // ---- The L2 transaction view: a block's transactions, a transaction's receipt (GET /api/l2/…). ----

  async function getJson(path) {
    const response = await fetch(path, { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    return body;
  }

  function explorerError(message) {
    $("explorer-error").textContent = message || "";
    $("explorer-error").hidden = !message;
  }

  async function showBlock(number) {
    try {
      const block = await getJson(`/api/l2/block/${number}`);
      explorerError("");
      $("block-view-number").textContent = num(block.number);
      $("block-view-hash").textContent = short(block.hash);
      $("block-view-hash").title = block.hash;
      const rows = block.transactions.map((t) => {
        const row = el("tr");
        row.dataset.hash = t.hash;
        const link = el("a", "tx-link", short(t.hash));
        link.href = `#tx-${t.hash}`;
        link.title = t.hash;
        link.addEventListener("click", (event) => {
          event.preventDefault();
          void showTransaction(t.hash);
        });
        row.append(
          cell("num", num(t.index)),
          cell("hash", link),
          hashCell(t.from),
          t.to ? hashCell(t.to) : cell("", "contract creation"),
          cell("num", eth(t.value)),
        );
        row.append(
          cell(
            "",
            t.status === null ? "–" : badge(t.status === 1 ? "success" : "reverted", t.status === 1 ? "ok" : "bad"),
          ),
          cell("num", num(t.gasUsed)),
        );
        return row;
      });
      fill("block-txs", "block-txs-empty", rows);
      $("block-view").hidden = false;
      $("explorer").scrollIntoView({ block: "nearest" });
    } catch (error) {
      explorerError(error.message);
    }
  }

  async function showTransaction(hash) {
    try {
      const r = await getJson(`/api/l2/tx/${hash}`);
      explorerError("");
      $("tx-view-hash").textContent = r.hash;
      const facts = [
        ["status", r.status === 1 ? "success" : "reverted"],
        ["block", `${fmt.format(r.blockNumber)} (${short(r.blockHash)}), index ${r.index}`],
        ["from", r.from],
        ["to", r.to === null ? `contract creation: ${r.contractAddress}` : r.to],
        ["value", eth(r.value)],
        ["nonce", num(r.nonce)],
        ["gas used", num(r.gasUsed)],
        ["effective gas price", `${fmt.format(BigInt(r.effectiveGasPrice))} wei`],
        ["calldata", `${fmt.format(r.inputBytes)} bytes`],
        [
          "logs",
          r.logs.length === 0
            ? "none"
            : r.logs
                .map((l) => `${short(l.address)} ${l.topics.length} topics, ${(l.data.length - 2) / 2} bytes`)
                .join(" · "),
        ],
      ];
      $("tx-receipt").replaceChildren(
        ...facts.flatMap(([k, v]) => [el("dt", "", k), el("dd", `fact-${k.replace(/ /g, "-")}`, v)]),
      );
      $("tx-view").hidden = false;
    } catch (error) {
      explorerError(error.message);
    }
  }

  // Rows are rebuilt on every snapshot: one listener on the table body serves them all.
  $("blocks").tBodies[0].addEventListener("click", (event) => {
    const row = event.target.closest("tr");
    if (row && row.dataset.number) void showBlock(row.dataset.number);
  });
  $("tx-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const hash = $("tx-search-hash").value.trim();
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash))
      explorerError(`${hash || "(empty)"} is not a transaction hash (0x + 64 hex digits)`);
    else void showTransaction(hash);
  });

  connect();
})();
