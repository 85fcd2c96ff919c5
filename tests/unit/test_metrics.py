from prometheus_client.parser import text_string_to_metric_families

from serve_app.metrics import merge_families, render

NODE = """# HELP ray_serve_num_http_requests_total Requests.
# TYPE ray_serve_num_http_requests_total counter
ray_serve_num_http_requests_total{node="%s"} %d
"""


def test_families_from_several_nodes_are_merged_once() -> None:
    families = merge_families([NODE % ("a", 3), NODE % ("b", 4)])
    text = render(families).decode()
    assert text.count("# TYPE ray_serve_num_http_requests") == 1
    parsed = {
        s.labels["node"]: s.value for f in text_string_to_metric_families(text) for s in f.samples
    }
    assert parsed == {"a": 3.0, "b": 4.0}
