// The auditor page: calls the audit API of the same origin with the auditor's token, which stays
// in this page's memory only. The DOM is built with textContent: record fields are never parsed as
// HTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  function setStatus(el, text, kind) {
    el.textContent = text;
    el.className = kind || "";
  }

  async function api(path) {
    const token = $("token").value.trim();
    const resp = await fetch(path, { headers: { Authorization: "Bearer " + token } });
    if (resp.status === 401) throw new Error("The token was not accepted.");
    if (resp.status === 403) throw new Error("This token may not read the audit log.");
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.error || "HTTP " + resp.status);
    return body;
  }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function render(records) {
    const tbody = $("results").querySelector("tbody");
    tbody.replaceChildren();
    for (const r of records) {
      const tr = document.createElement("tr");
      tr.className = "outcome-" + r.outcome;
      cell(tr, r.seq);
      cell(tr, r.at);
      cell(tr, r.eventId);
      cell(tr, r.conversationId);
      cell(tr, r.outcome);
      cell(tr, r.reason);
      cell(tr, r.httpStatus);
      const rules = (r.findings || []).map((f) => f.rule + " ×" + f.count + " at " + f.path);
      cell(tr, rules.join("; "));
      cell(tr, (r.rulesetVersion || "").slice(0, 19));
      tbody.appendChild(tr);
    }
    $("results").hidden = records.length === 0;
  }

  async function search(ev) {
    ev.preventDefault();
    const params = new URLSearchParams();
    const add = (key, id) => {
      const v = $(id).value.trim();
      if (v) params.set(key, v);
    };
    add("conversationId", "conversation");
    add("since", "since");
    add("until", "until");
    add("outcome", "outcome");
    params.set("limit", "500");
    setStatus($("status"), "Searching…");
    try {
      const body = await api("/api/audit?" + params.toString());
      render(body.records);
      setStatus($("status"), body.count + " record(s)" + (body.count >= body.limit ? " (first " + body.limit + ")" : ""), "ok");
    } catch (e) {
      render([]);
      setStatus($("status"), e.message, "error");
    }
  }

  async function verify() {
    setStatus($("chain"), "Verifying the hash chain…");
    try {
      const body = await api("/api/audit/verify");
      const v = body.verification;
      if (body.intact) {
        setStatus($("chain"), "Chain intact: " + v.records + " record(s), head " + v.headSeq + ":" + v.headHash.slice(0, 16) + "…", "ok");
      } else {
        setStatus($("chain"), "Chain BROKEN" + v.broken, "error");
      }
    } catch (e) {
      setStatus($("chain"), e.message, "error");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("search").addEventListener("submit", search);
    $("verify").addEventListener("click", verify);
  });
})();
