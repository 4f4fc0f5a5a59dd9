"""The pure parts of the emulator: Google's `fields` syntax and Drive's `q` language."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetup_emulator.drive_query import QueryError, parse_query, required_parents
from meetup_emulator.fields import FieldsError, parse_fields, project, unknown_fields

VIDEO = {"kind": "youtube#videoListResponse", "etag": "e", "nextPageToken": "t",
         "items": [{"id": "a", "snippet": {"title": "T", "publishedAt": "2021", "thumbnails": {"default": {"url": "u"}}},
                    "contentDetails": {"duration": "PT1M"}},
                   {"id": "b", "snippet": {"title": "U"}}]}


@pytest.mark.parametrize("fields, expected", [
    ("items(id,snippet(title,publishedAt)),nextPageToken",
     {"items": [{"id": "a", "snippet": {"title": "T", "publishedAt": "2021"}}, {"id": "b", "snippet": {"title": "U"}}],
      "nextPageToken": "t"}),
    ("items/snippet/thumbnails/default/url", {"items": [{"snippet": {"thumbnails": {"default": {"url": "u"}}}}, {}]}),
    ("items(id),items(contentDetails)", {"items": [{"id": "a", "contentDetails": {"duration": "PT1M"}}, {"id": "b"}]}),
    ("items/id,items", {"items": VIDEO["items"]}),
    ("*", VIDEO),
    ("items(snippet/*)", {"items": [{"snippet": VIDEO["items"][0]["snippet"]}, {"snippet": {"title": "U"}}]}),
    ("nosuch", {}),
])
def test_projection(fields, expected):
    assert project(VIDEO, parse_fields(fields)) == expected


@pytest.mark.parametrize("bad", ["items(", "items)", "a//b", ",a", "a,", "a(b,)", "a b", "()"])
def test_bad_selections(bad):
    with pytest.raises(FieldsError):
        parse_fields(bad)


def test_unknown_fields_against_a_schema():
    schemas = {"R": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "V"}}}},
               "V": {"type": "object", "properties": {"id": {"type": "string"},
                                                      "tags": {"type": "object", "additionalProperties": {}}}}}
    assert unknown_fields(parse_fields("items(id,tags/anything)"), {"$ref": "R"}, schemas) is None
    assert unknown_fields(parse_fields("items(id,titel)"), {"$ref": "R"}, schemas) == "items/titel"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.sampled_from("abcd"), kids, max_size=4),
    max_leaves=12)
selections = st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", "*"]), min_size=1, max_size=3).map("/".join),
                      min_size=1, max_size=4).map(",".join)


def _subset(small, big) -> bool:
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and _subset(v, big[k]) for k, v in small.items())
    if isinstance(small, list):
        return isinstance(big, list) and len(small) == len(big) and all(map(_subset, small, big))
    return small == big


@settings(max_examples=300, deadline=None)
@given(json_values, selections)
def test_projection_only_ever_removes(value, fields):
    assert _subset(project(value, parse_fields(fields)), value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="'abc ()=!<>andornotin parents trashed mimeType contains \\", max_size=60))
def test_query_parser_raises_only_query_errors(q):
    try:
        parse_query(q)
    except QueryError:
        pass


def test_required_parents_plans_or_batches():
    assert required_parents(parse_query("('a' in parents or 'b' in parents) and trashed = false")) == ["a", "b"]
    assert required_parents(parse_query("'a' in parents or name = 'x'")) is None
    assert required_parents(parse_query("not 'a' in parents")) is None
