// The operations page: people sign in at their region's identity provider (the server keeps the session;
// the HttpOnly cookie holds only its id), then it polls /api/overview every few seconds and draws the figures. Every figure cell carries a data-figure
// attribute naming where it comes from in the overview, so tests can compare the page with the API.
"use strict";

const REFRESH_MS = 5000;
// ?date=YYYY-MM-DD: a past day's figures as they stood at its end (the daily digest); none: live.
const DAY = new URLSearchParams(location.search).get("date");
const REGIONS_ZH = { jiashan: "嘉善", qingpu: "青浦", wujiang: "吴江" };
const VOLUME_ROWS = [
  ["filings_submitted", "立案申请 filings submitted"], ["filings_accepted", "立案 accepted"],
  ["filings_rejected", "不予立案 rejected"], ["alerts_raised", "警情发布 alerts raised"],
  ["alerts_acknowledged", "签收 acknowledged"], ["alerts_escalated", "升级 escalated"],
  ["subjects_enrolled", "入矫 subjects enrolled"], ["certificates_issued", "公证书出具 certificates issued"],
  ["certificates_verified", "核验 verified"], ["certificates_revoked", "撤销 revoked"],
  ["proofs_requested", "协查请求 proofs requested"], ["proofs_answered", "协查答复 answered"],
];
const PROGRESS_ROWS = [
  ["subjects_travelling", "外出中 travelling"], ["transfers_pending", "待接收 transferring"],
  ["alerts_active", "在办警情 alerts active"],
];
const SLA_ROWS = [
  ["filings_overdue", "超 7 日未决 filings past decision"], ["acks_missed_today", "今日超时未签收 acks missed today"],
  ["report_ins_overdue", "逾期未报到 report-ins overdue"], ["proofs_overdue", "协查超期 proofs overdue"],
  ["penalties_out_of_line", "同案同罚偏离 penalties out of line"],
];
const charts = {};

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.textContent = text;
  return node;
}

function regionTable(table, regions, rows, source, lateWhenPositive) {
  table.replaceChildren();
  const head = el("tr");
  head.append(el("th", {}, ""));
  for (const r of regions) head.append(el("th", {}, `${REGIONS_ZH[r] || r} ${r}`));
  table.append(head);
  for (const [key, label] of rows) {
    const tr = el("tr");
    tr.append(el("td", {}, label));
    for (const r of regions) {
      const value = source[r][key];
      const cell = el("td", { "data-figure": `${table.id}.${r}.${key}` }, String(value));
      if (lateWhenPositive && value > 0) cell.className = "late";
      tr.append(cell);
    }
    table.append(tr);
  }
}

function pie(id, data) {
  charts[id] = charts[id] || echarts.init(document.getElementById(id));
  const entries = Object.entries(data).map(([name, value]) => ({ name, value }));
  charts[id].setOption({
    animation: false, // redrawn every few seconds: no replayed animation
    tooltip: { trigger: "item" },
    legend: { bottom: 0, textStyle: { color: "#e8eef5" } },
    series: [{ type: "pie", radius: ["35%", "65%"], data: entries, label: { color: "#e8eef5" } }],
  });
}

function volumesChart(o) {
  charts.volumes = charts.volumes || echarts.init(document.getElementById("volumes-chart"));
  charts.volumes.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { textStyle: { color: "#e8eef5" } },
    xAxis: { type: "category", data: VOLUME_ROWS.map(([, label]) => label.split(" ")[0]), axisLabel: { color: "#e8eef5" } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#e8eef5" } },
    series: o.regions.map((r) => ({
      name: REGIONS_ZH[r] || r, type: "bar", data: VOLUME_ROWS.map(([key]) => o.volumes[r][key]),
    })),
  });
}

function plane(o) {
  const p = o.event_plane;
  const rows = [
    ["instances_up", "实例在线 instances up", `${p.instances_up} / ${p.instances}`, p.instances_up < p.instances],
    ["broker_up", "Kafka", p.broker_up ? "up" : "down", !p.broker_up],
    ["consumer_lag", "消费滞后 consumer lag", p.consumer_lag, p.consumer_lag > 100],
    ["dead_letters_today", "今日死信 dead letters today", p.dead_letters_today, p.dead_letters_today > 0],
    ["outbox_backlog", "待发事件 outbox backlog", p.outbox_backlog, p.outbox_backlog > 0],
    ["event_delay_p99_ms", "跨区同步 p99 cross-region delay",
      p.event_delay_p99_ms === null ? "—" : `${p.event_delay_p99_ms} ms`, p.event_delay_p99_ms > 5000],
  ];
  const table = document.getElementById("plane");
  table.replaceChildren();
  for (const [key, label, value, late] of rows) {
    const tr = el("tr");
    tr.append(el("td", {}, label));
    const cell = el("td", { "data-figure": `plane.${key}` }, String(value));
    if (late) cell.className = "late";
    tr.append(cell);
    table.append(tr);
  }
}

function firing(o) {
  const list = document.getElementById("firing");
  list.replaceChildren();
  if (o.alerts_firing.length === 0) list.append(el("li", { class: "none" }, "无 none"));
  for (const a of o.alerts_firing) {
    list.append(el("li", { class: a.severity, "data-alert": a.name }, `${a.name} (${a.severity}): ${a.summary}`));
  }
}

function draw(o) {
  const progress = {};
  for (const r of o.regions) progress[r] = { ...o.volumes[r], ...o.in_progress[r] };
  regionTable(document.getElementById("volumes"), o.regions, VOLUME_ROWS.concat(PROGRESS_ROWS), progress, false);
  regionTable(document.getElementById("sla"), o.regions, SLA_ROWS, o.sla, true);
  plane(o);
  firing(o);
  volumesChart(o);
  pie("case-types-chart", o.categories.case_types);
  pie("alert-categories-chart", o.categories.alert_categories);
  document.getElementById("since").textContent = DAY ? `${DAY} (digest, as of ${o.at})` : `since ${o.today_since}`;
  document.getElementById("updated").textContent = `${o.viewer.subject} · updated ${o.zone_time.slice(11, 19)}`;
  document.body.dataset.loaded = o.at;
}

// What did not reach a duty channel, and digests not delivered (the bridge's record): the live page only.
async function deliveries() {
  const section = document.getElementById("deliveries-section");
  section.hidden = Boolean(DAY);
  if (DAY) return;
  const answer = await fetch("/api/deliveries", { credentials: "same-origin" });
  if (!answer.ok) return;
  const d = await answer.json();
  const failed = d.failures.map((f) => `${f.at.slice(11, 19)} ${f.what} → ${f.channel}: ${f.detail} (${f.subject})`);
  for (const day of d.digests || []) {
    for (const [name, r] of Object.entries(day.receivers)) {
      if (!r.ok) failed.push(`digest ${day.date} → ${name}: ${r.error} (${r.attempts} attempts)`);
    }
  }
  const list = document.getElementById("deliveries");
  list.replaceChildren();
  if (failed.length === 0) list.append(el("li", { class: "none" }, "全部送达 all delivered"));
  for (const line of failed) list.append(el("li", { class: "failed" }, line));
}

function show(loggedIn) {
  document.getElementById("login").hidden = loggedIn;
  document.getElementById("board").hidden = !loggedIn;
  document.getElementById("logout").hidden = !loggedIn;
}

async function refresh() {
  const query = DAY ? `?date=${encodeURIComponent(DAY)}` : "";
  const answer = await fetch(`/api/overview${query}`, { credentials: "same-origin" });
  if (answer.status === 401) return show(false);
  show(true); // signed in; with Prometheus away the last picture stays and it is asked again
  if (answer.ok) draw(await answer.json());
  await deliveries(); // the bridge's own record: shown whether Prometheus answers or not
}

const SIGNIN_ERRORS = {
  refused: "此账号不能查看 Not an operator or supervisor of a region",
  failed: "登录未完成 Sign-in did not complete; try again",
};
const signin = new URLSearchParams(location.search).get("signin");
if (signin) document.getElementById("login-error").textContent = SIGNIN_ERRORS[signin] || "";

document.getElementById("logout").addEventListener("click", async () => {
  await fetch("/logout", { method: "POST", credentials: "same-origin" }); // ends the provider's session too
  show(false);
});

refresh();
if (!DAY) setInterval(refresh, REFRESH_MS); // a past day does not change
