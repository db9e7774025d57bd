from __future__ import annotations

import pytest
from pydantic import ValidationError

from site_tools.models import HubSettings


@pytest.mark.parametrize(
    "url", ["", "https://github.com/learning-mechanics/hub", "https://git.example.org:8443/a/b/"]
)
def test_repo_url_accepts_https_addresses(url: str) -> None:
    assert HubSettings(repo_url=url).repo_url == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)//",
        "http://github.com/a/b",
        "https://github.com/a/b?x=<script>",
        "https://github.com/a b",
        "git@github.com:a/b.git",
    ],
)
def test_repo_url_refuses_anything_else(url: str) -> None:
    with pytest.raises(ValidationError):
        HubSettings(repo_url=url)


def test_edit_branch_is_a_plain_name() -> None:
    with pytest.raises(ValidationError):
        HubSettings(edit_branch="main/../../x y")
