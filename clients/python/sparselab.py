"""SparseLab from Python: the REST API with the standard library only (one file; copy it anywhere).

    from sparselab import Client
    lab = Client()                       # SPARSELAB_URL / SPARSELAB_TOKEN, else what `sparselab login` saved
    exp = lab.submit("spec.yaml")        # a file name, YAML/JSON text, or a dict
    runs = lab.wait(exp["id"])           # until every run has ended
    print(lab.compare(exp["id"], csv=True))

The same verbs work from a shell: python3 sparselab.py submit spec.yaml --watch | runs | show RUN |
cancel RUN | compare EXP... --csv | catalog | login --url URL (--token T | --user U).
Errors are SparseLabError with the server's problem details (status, detail, errors: [{pointer, detail}]).
"""
import http.cookiejar
import json
import os
import socket
import stat
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["Client", "SparseLabError", "credentials_file"]
DEFAULT_URL = "http://localhost:8080"
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


class SparseLabError(Exception):
    """A refused request (4xx/5xx, with the problem details) or an unreachable server (status 0)."""

    def __init__(self, status, problem):
        self.status = status
        self.problem = problem or {}
        self.errors = self.problem.get("errors", [])
        detail = self.problem.get("detail") or self.problem.get("title") or "HTTP %s" % status
        lines = [detail] + ["  %s: %s" % (e.get("pointer", e.get("parameter", "")), e.get("detail")) for e in self.errors]
        super().__init__("\n".join(lines))


def credentials_file():
    """$SPARSELAB_CONFIG/credentials.json, by default ~/.config/sparselab/credentials.json (shared with the CLI)."""
    base = os.environ.get("SPARSELAB_CONFIG") or os.path.join(os.path.expanduser("~"), ".config", "sparselab")
    return os.path.join(base, "credentials.json")


def _stored():
    try:
        with open(credentials_file()) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class Client:
    def __init__(self, url=None, token=None, timeout=60):
        stored = _stored()
        self.url = (url or os.environ.get("SPARSELAB_URL") or stored.get("url") or DEFAULT_URL).rstrip("/")
        self.token = token or os.environ.get("SPARSELAB_TOKEN") or stored.get("token")
        self.timeout = timeout
        self._cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._cookies))

    # -- plumbing

    def _request(self, method, path, body=None, content_type="application/json", accept="application/json",
                 raw=False):
        headers = {"Accept": accept}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        xsrf = next((c.value for c in self._cookies if c.name == "XSRF-TOKEN"), None)
        if xsrf and not self.token:
            headers["X-XSRF-TOKEN"] = urllib.parse.unquote(xsrf)
        data = None
        if body is not None:
            data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as r:
                data = r.read()
                return r.status, (data if raw else data.decode("utf-8"))
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                problem = json.loads(text)
            except ValueError:
                problem = {"detail": text[:300]}
            raise SparseLabError(e.code, problem) from None
        except (urllib.error.URLError, socket.timeout, ConnectionError) as e:
            raise SparseLabError(0, {"detail": "cannot reach SparseLab at %s (%s)" % (self.url, e)}) from None

    def _json(self, method, path, body=None, **kw):
        status, text = self._request(method, path, body, **kw)
        return json.loads(text) if text else {}

    @staticmethod
    def _query(**params):
        items = [(k, v) for k, v in params.items() if v is not None]
        flat = [(k, x) for k, v in items for x in (v if isinstance(v, (list, tuple)) else [v])]
        return "?" + urllib.parse.urlencode(flat) if flat else ""

    # -- the verbs

    @classmethod
    def login(cls, url, username, password, token_name=None, expires_in_days=90, save=True):
        """Logs in with a password, creates an API token (named after this machine) and returns a client using it."""
        session = cls(url=url, token=None)
        session.token = None
        session._json("POST", "/api/v1/auth/login", {"username": username, "password": password})
        created = session._json("POST", "/api/v1/tokens", {"name": token_name or "python on " + socket.gethostname(),
                                                            "expiresInDays": expires_in_days})
        client = cls(url=url, token=created["token"])
        if save:
            client.save()
        return client

    def save(self):
        """Stores url and token for later clients and the CLI (mode 0600)."""
        path = credentials_file()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w") as f:
            json.dump({"url": self.url, "token": self.token}, f)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        return path

    def me(self):
        return self._json("GET", "/api/v1/auth/me")

    def submit(self, spec, project=None):
        """Submits a spec: a dict, YAML/JSON text, or a file name. Returns {id, name, runs, duplicateOf?}."""
        if isinstance(spec, dict):
            text, kind = json.dumps(spec), "application/json"
        else:
            text = spec
            if "\n" not in spec and os.path.isfile(spec):
                with open(spec) as f:
                    text = f.read()
            kind = "application/json" if text.lstrip().startswith("{") else "application/yaml"
        return self._json("POST", "/api/v1/experiments" + self._query(project=project), text, content_type=kind)

    def preview(self, spec):
        text = json.dumps(spec) if isinstance(spec, dict) else spec
        kind = "application/json" if text.lstrip().startswith("{") else "application/yaml"
        return self._json("POST", "/api/v1/experiments/preview", text, content_type=kind)

    def experiment(self, experiment_id):
        return self._json("GET", "/api/v1/experiments/" + experiment_id)

    def runs(self, experiment=None, status=None, method=None, owner=None, limit=500):
        return self._json("GET", "/api/v1/runs" + self._query(experiment=experiment, status=status, method=method,
                                                               owner=owner, limit=limit))

    def show(self, run_id):
        return self._json("GET", "/api/v1/runs/" + run_id)

    def metrics(self, run_id, name=None, max_points=0):
        return self._json("GET", "/api/v1/runs/%s/metrics%s" % (run_id, self._query(name=name, maxPoints=max_points)))

    def cancel(self, run_id=None, experiment=None):
        if (run_id is None) == (experiment is None):
            raise ValueError("give run_id or experiment")
        path = "/api/v1/experiments/%s/cancel" % experiment if experiment else "/api/v1/runs/%s/cancel" % run_id
        return self._json("POST", path)

    def compare(self, *experiments, csv=False):
        path = "/api/v1/compare" + self._query(experiment=list(experiments))
        if csv:
            return self._request("GET", path, accept="text/csv")[1]
        return self._json("GET", path)

    def catalog(self):
        return self._json("GET", "/api/v1/catalog")

    def model(self, run_id, path=None, format="safetensors"):
        """A run's trained model: "safetensors" (PyTorch state-dict names, masks as <weight>_mask), "safetensors-csr"
        (masked weights as compressed rows) or "sparselab" (as stored). Written to path when given; returns the bytes."""
        data = self._request("GET", "/api/v1/runs/%s/model%s" % (run_id, self._query(format=format)),
                             accept="application/octet-stream", raw=True)[1]
        if path:
            with open(path, "wb") as f:
                f.write(data)
        return data

    def model_card(self, run_id):
        """What the model is, how it did, its artifact, tags and downloads."""
        return self._json("GET", "/api/v1/runs/%s/model/card" % run_id)

    def tag(self, run_id, tag):
        """Tags a run ("champion": the one of its experiment); returns its tags."""
        return self._json("PUT", "/api/v1/runs/%s/tags/%s" % (run_id, urllib.parse.quote(tag, safe="")))

    def untag(self, run_id, tag):
        self._request("DELETE", "/api/v1/runs/%s/tags/%s" % (run_id, urllib.parse.quote(tag, safe="")))

    def wait(self, experiment_id, timeout=None, interval=1.0, progress=None):
        """Polls until every run of the experiment has ended; returns the runs. progress(runs) is called each time."""
        deadline = None if timeout is None else time.time() + timeout
        while True:
            runs = self.runs(experiment=experiment_id, limit=5000)
            if progress:
                progress(runs)
            if runs and all(r["status"] in TERMINAL for r in runs):
                return runs
            if deadline is not None and time.time() > deadline:
                raise TimeoutError("runs of %s still going after %s s" % (experiment_id, timeout))
            time.sleep(interval)


    def search(self, experiment_id):
        """An experiment's search: settings, trials (values, status, objectives, onFront) and its Pareto set ("front":
        trial numbers, best first by the first objective)."""
        return self._json("GET", "/api/v1/experiments/%s/search" % experiment_id)

    def follow_search(self, experiment_id, timeout=None, interval=2.0, progress=None):
        """Polls a search until it has proposed its whole budget and every trial has ended; returns its final report.
        progress(report) is called each time."""
        deadline = None if timeout is None else time.time() + timeout
        while True:
            report = self.search(experiment_id)
            if progress:
                progress(report)
            if not report["open"] and all(t["status"] in TERMINAL for t in report["trials"]):
                return report
            if deadline is not None and time.time() > deadline:
                raise TimeoutError("search %s still going after %s s" % (experiment_id, timeout))
            time.sleep(interval)


def safetensors_header(data):
    """The JSON header of a safetensors file (tensor name -> dtype, shape, data_offsets; "__metadata__")."""
    length = int.from_bytes(data[:8], "little")
    return json.loads(data[8:8 + length].decode("utf-8"))


def _bar(run):
    done = 1.0 if run["status"] in TERMINAL else min(1.0, run["step"] / max(1, run["totalSteps"]))
    filled = int(round(done * 20))
    acc = run.get("testAccuracy") if run.get("testAccuracy") is not None else run.get("trainAccuracy")
    return "%s %-8s seed %-4s [%s%s] %3.0f%% epoch %d/%d %-10s%s" % (
        run["id"][:8], run["method"], run["seed"], "#" * filled, "." * (20 - filled), done * 100,
        run["epoch"], run["totalEpochs"], run["status"], "" if acc is None else " acc %.3f" % acc)


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="sparselab.py", description="SparseLab from the command line (Python client).")
    p.add_argument("--url")
    p.add_argument("--token")
    sub = p.add_subparsers(dest="verb", required=True)
    s = sub.add_parser("login")
    s.add_argument("--user")
    s.add_argument("--password-stdin", action="store_true")
    s = sub.add_parser("submit")
    s.add_argument("spec")
    s.add_argument("--project")
    s.add_argument("--watch", action="store_true")
    s = sub.add_parser("runs")
    s.add_argument("--experiment")
    s.add_argument("--status")
    s.add_argument("--limit", type=int, default=50)
    sub.add_parser("show").add_argument("run")
    s = sub.add_parser("cancel")
    s.add_argument("id")
    s.add_argument("--experiment", action="store_true")
    s = sub.add_parser("compare")
    s.add_argument("experiments", nargs="+")
    s.add_argument("--csv", action="store_true")
    s = sub.add_parser("search")
    s.add_argument("experiment")
    s.add_argument("--follow", action="store_true")
    sub.add_parser("catalog")
    a = p.parse_args(argv)
    try:
        if a.verb == "login":
            if a.user:
                password = sys.stdin.read().strip() if a.password_stdin else __import__("getpass").getpass()
                client = Client.login(a.url or Client().url, a.user, password)
            else:
                client = Client(a.url, a.token)
                client.me()
                client.save()
            print("logged in to %s as %s" % (client.url, client.me()["username"]))
            return 0
        lab = Client(a.url, a.token)
        if a.verb == "submit":
            created = lab.submit(a.spec, project=a.project)
            print("experiment %s: %d run(s)%s" % (created["id"], len(created["runs"]),
                                                  " (identical runs exist)" if created.get("duplicateOf") else ""))
            if a.watch:
                runs = lab.wait(created["id"], progress=lambda rs: print("\n".join(_bar(r) for r in rs), flush=True))
                return 0 if all(r["status"] == "SUCCEEDED" for r in runs) else 1
        elif a.verb == "runs":
            for r in lab.runs(experiment=a.experiment, status=a.status, limit=a.limit):
                print(_bar(r))
        elif a.verb == "show":
            print(json.dumps(lab.show(a.run), indent=2))
        elif a.verb == "cancel":
            r = lab.cancel(experiment=a.id) if a.experiment else lab.cancel(run_id=a.id)
            print(r.get("status", "cancelled"))
        elif a.verb == "compare":
            out = lab.compare(*a.experiments, csv=a.csv)
            print(out if a.csv else json.dumps(out, indent=2))
        elif a.verb == "search":
            if a.follow:
                seen = set()

                def ended(report):
                    for t in report["trials"]:
                        if t["status"] in TERMINAL and t["trial"] not in seen:
                            seen.add(t["trial"])
                            print("trial %d %s %s %s" % (t["trial"], t["status"], json.dumps(t["params"]),
                                                         json.dumps(t["objectives"])), flush=True)
                report = lab.follow_search(a.experiment, progress=ended)
            else:
                report = lab.search(a.experiment)
            print("Pareto set: trials %s" % report["front"])
        elif a.verb == "catalog":
            for m in lab.catalog()["methods"]:
                print("%-16s %s" % (m["name"], m["description"]))
        return 0
    except SparseLabError as e:
        print("error (%s): %s" % (e.status, e), file=sys.stderr)
        return 3 if e.status in (0,) or e.status >= 500 else 2


if __name__ == "__main__":
    sys.exit(main())
