"""`make bench`'s report: a POST figure is the median of alternating runs, and the table says which runs
it came from (the runs themselves need running instances; these check what is made of their results)."""

from __future__ import annotations

from bench import http
from bench.__main__ import table
from bench.http import _peer_grants, _peer_spec, median_run
from shared.contracts.regions import Domain, Region
from shared.contracts.topics import catalogue, topic
from shared.rules.broker_access import Operation, service_principal


def run(rps: float, p99: float) -> dict:
    return {"rps": rps, "p50_ms": p99 / 3, "p99_ms": p99, "statuses": {"202": "2000"}}


def web_results(ours: dict, peer: dict) -> dict:
    """An HTTP part of the results with both POST concurrencies measured as `ours` and `peer`."""
    return {
        "healthz": run(8000, 5),
        "peer_healthz": run(9000, 4),
        "post_c16": ours,
        "peer_post_c16": peer,
        "post_c64": ours,
        "peer_post_c64": peer,
        "list_c16": run(2500, 12),
        "visibility_low_load": {"p50_ms": 15, "p99_ms": 30},
        "visibility_half_load": {"p50_ms": 35, "p99_ms": 90},
        "backlog_drained_after_s": 0.2,
        "idle_cpu_percent_of_one_core": 3.5,
    }


def test_the_median_run_is_reported_whole_with_every_runs_rate() -> None:
    median = median_run([run(500, 90), run(450, 120), run(520, 70)])
    assert (median["rps"], median["p99_ms"]) == (500, 90)  # its own tail, not another run's
    assert median["runs_rps"] == [500, 450, 520]  # in the order they ran


def test_an_even_number_of_runs_reports_the_lower_middle_one() -> None:
    assert median_run([run(400, 1), run(300, 2), run(600, 3), run(500, 4)])["rps"] == 400


def test_the_table_gives_the_ratio_of_the_medians_and_lists_the_runs() -> None:
    ours = median_run([run(500, 90), run(450, 120), run(520, 70)])
    peer = median_run([run(1600, 20), run(1700, 25), run(1650, 22)])
    lines = table({"http": web_results(ours, peer)}).splitlines()
    post = next(line for line in lines if line.startswith("POST /v1/filings c16"))
    assert post.split()[-1] == f"{500 / 1650:.2f}"
    assert "post_c16: the median of 3 alternating runs: 500, 450, 520; peer 1600, 1700, 1650" in "\n".join(lines)


def test_the_peer_publishes_to_a_topic_no_instance_reads_shaped_like_the_one_ours_writes() -> None:
    spec = _peer_spec("b1.", "b1.bench.peer")
    ours = next(s for s in catalogue("b1.") if s.name == topic(Region.JIASHAN, Domain.FILING, "b1."))
    assert (spec.name, spec.partitions, spec.configs) == ("b1.bench.peer", ours.partitions, ours.configs)
    assert spec.name not in {s.name for s in catalogue("b1.")}
    grants = _peer_grants(spec.name)
    assert {(g.principal, g.name, g.operation) for g in grants} == {
        (service_principal(Region.JIASHAN, Domain.FILING), "b1.bench.peer", Operation.WRITE),
        (service_principal(Region.JIASHAN, Domain.FILING), "b1.bench.peer", Operation.DESCRIBE),
    }


def test_the_table_says_what_a_request_cost_in_cpu_on_each_side() -> None:
    ours = {**run(500, 90), "cpu_ms_per_request": {"jiashan": 1.6, "qingpu": 1.0, "all": 3.5}, "machine_busy": 0.97}
    peer = {**run(1600, 20), "cpu_ms_per_request": {"peer": 0.6}, "machine_busy": 0.93}
    text = table({"http": web_results(ours, peer), "cores": 2})
    expected = "CPU per request, ms: jiashan 1.60, qingpu 1.00, all 3.50; peer 0.60; machine busy 97% / 93% (2 cores)"
    assert f"(post_c16: {expected})" in text


def test_a_runs_cpu_counts_each_process_from_the_load_until_the_zone_is_quiet(monkeypatch) -> None:
    spent = {1: [10.0, 12.5], 2: [4.0, 5.0]}  # each process's CPU seconds before and after
    jiffies = iter([(100, 1000), (280, 1200)])
    monkeypatch.setattr(http, "machine_jiffies", lambda: next(jiffies))
    quiet = []
    monkeypatch.setattr(http, "wait_quiet", lambda: quiet.append(True) or 0.0)
    side = http.Side("http://x", (("a", (1,)), ("b", (2,))), cpu=lambda pids: sum(spent[p].pop(0) for p in pids))
    answered = {**run(500, 90), "statuses": {"202": "992", "503": "8"}}  # hey's answers, whatever they were
    found = http.costed(side, lambda: answered, 2000)  # asked for 2000: hey sent 1000 (requests // concurrency)
    assert found["rps"] == 500 and quiet == [True]
    assert found["cpu_ms_per_request"] == {"a": 2.5, "b": 1.0}
    assert found["machine_busy"] == 0.9
