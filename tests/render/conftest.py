"""Render the platform with playbooks/site.yml (no cluster: render mode) once per variant and
share the result between the render tests.

local and example are rendered twice into the same temporary directories; the tests compare the
two runs (byte-identical files, changed=0) and inspect the files of the second run.
"""

from __future__ import annotations

import pytest
from platform_rendering import ROOT, TWICE, VARIANTS, Rendering, render, snapshot


@pytest.fixture(scope="session", params=sorted(VARIANTS))
def rendering(request, tmp_path_factory) -> Rendering:
    name = request.param
    inventory, extra_vars = VARIANTS[name]
    workdir = tmp_path_factory.mktemp(f"render-{name}")
    render_dir, secrets_dir, first = render(inventory, extra_vars, workdir)
    assert first.rc == 0, first.output[-6000:]
    first_files = snapshot(render_dir)
    second = None
    if name in TWICE:
        _, _, second = render(inventory, extra_vars, workdir)
        assert second.rc == 0, second.output[-6000:]
    return Rendering(name, ROOT / inventory, render_dir, secrets_dir, first, second, first_files, extra_vars)
