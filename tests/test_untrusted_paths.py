"""A spec cannot make protocheck read a file outside its project, nor print one.

The project is the git work tree holding the spec (its folder outside any repository);
`--allow-root DIR` names more. The model must be a `.model` file: a diagnostic shows a line of
the model, so `/proc/self/environ` or a `.env` file must never be parsed as one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT

MODEL = (ROOT / "docs" / "tutorial" / "handshake.model").read_text()


def _spec(folder, model_path: str):
    folder.mkdir(parents=True, exist_ok=True)
    spec = folder / "s.spec"
    spec.write_text(f'spec s\nmodel "{model_path}"\n'
                    "invariant r: Host.routing implies Worker at Running\nexpect violated\n")
    return spec


def test_the_environment_is_never_read_as_a_model(tmp_path):
    spec = _spec(tmp_path, "/proc/self/environ")
    env = dict(os.environ, DEPLOY_TOKEN="s3cr3t-value")
    for extra in ([], ["--json"]):
        p = subprocess.run([sys.executable, "-m", "checker", "check", *extra, str(spec)],
                           cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                           timeout=120)
        assert p.returncode == 2
        assert "s3cr3t" not in p.stdout + p.stderr
        assert "error[PC503]: the model must be a .model file, not '/proc/self/environ'" in \
            (p.stderr if not extra else json.loads(p.stdout)["errors"][0]["rendered"])
        assert "Traceback" not in p.stderr


def test_a_model_outside_the_project_is_refused_with_a_located_error(cli, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "m.model").write_text(MODEL)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)  # the spec's project is this work tree
    spec = _spec(repo / "specs", "../../elsewhere/m.model")
    code, _, err = cli("check", str(spec))
    assert code == 2
    assert f"{spec}:2:7: error[PC504]: the model '../../elsewhere/m.model' is outside the " \
           f"project {repo}" in err
    assert "    model \"../../elsewhere/m.model\"\n          ^" in err
    assert "--allow-root DIR" in err
    # Named explicitly, the folder is allowed.
    code, out, _ = cli("check", "--allow-root", str(outside), str(spec))
    assert code == 0 and "verdict: VIOLATED, as expected" in out


def test_a_model_elsewhere_in_the_repository_is_fine(cli, tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "models").mkdir()
    (repo / "models" / "m.model").write_text(MODEL)
    spec = _spec(repo / "specs" / "deep", "../../models/m.model")
    assert cli("check", str(spec))[0] == 0


def test_a_symbolic_link_cannot_lead_outside(cli, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "m.model").write_text(MODEL)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "models").mkdir()
    os.symlink(secret / "m.model", repo / "models" / "m.model")
    spec = _spec(repo, "models/m.model")
    code, _, err = cli("check", str(spec))
    assert code == 2 and "error[PC504]" in err


def test_non_model_files_inside_the_project_are_refused(cli, tmp_path):
    (tmp_path / ".env").write_text("TOKEN=s3cr3t\n")
    spec = _spec(tmp_path, ".env")
    code, out, err = cli("check", str(spec))
    assert code == 2 and "error[PC503]" in err and "s3cr3t" not in out + err


def test_the_pytest_plugin_confines_models_too(pytester, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "m.model").write_text(MODEL)
    pytester.makefile(".spec", s=f'spec s\nmodel "{outside}/m.model"\ninvariant r: '
                      "Host.routing implies Worker at Running\nexpect violated\n")
    result = pytester.runpytest("--protocheck", str(pytester.path / "s.spec"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*error?PC504?: the model * is outside the project*"])
    result = pytester.runpytest("--protocheck", f"--protocheck-allow-root={outside}",
                                str(pytester.path / "s.spec"))
    result.assert_outcomes(passed=1)


def test_a_byte_order_mark_is_not_an_error(cli, tmp_path):
    # Windows editors write a UTF-8 byte order mark; it is not part of the text.
    (tmp_path / "m.model").write_bytes(b"\xef\xbb\xbf" + MODEL.encode())
    spec = _spec(tmp_path, "m.model")
    spec.write_bytes(b"\xef\xbb\xbf" + spec.read_bytes())
    code, out, err = cli("check", str(spec))
    assert code == 0, err
    assert "docs" not in out and f"on {tmp_path}/m.model" in out


def test_parse_into_a_closed_pipe_is_not_a_crash(tmp_path):
    script = f"{sys.executable} -m checker parse {ROOT}/models/forwarding_task.model | head -1"
    p = subprocess.run(["bash", "-c", script], cwd=ROOT,
                       capture_output=True, text=True, check=False, timeout=120)
    assert p.stdout.startswith(f"{ROOT}/models/forwarding_task.model: protocol")
    assert p.stderr == ""
