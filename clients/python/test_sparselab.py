"""Tests of sparselab.py against a running platform (ClientsIT starts one and runs: python3 -m unittest -v).

Needs SPARSELAB_URL, SPARSELAB_TOKEN (an administrator's) and SPARSELAB_PASSWORD (user admin's).
"""
import io
import json
import os
import stat
import tempfile
import unittest
from contextlib import redirect_stdout

import sparselab
from sparselab import Client, SparseLabError, safetensors_header

URL = os.environ["SPARSELAB_URL"]
TOKEN = os.environ["SPARSELAB_TOKEN"]


def spec(name, epochs=1, seeds=(1, 2), hidden=(16,), method="magnitude"):
    return {"name": name, "dataset": {"name": "synthetic"},
            "model": {"type": "mlp", "hidden": list(hidden)},
            "training": {"epochs": epochs, "batchSize": 64},
            "sparsity": {"method": method, "target": 0.5} if method != "dense" else {"method": "dense"},
            "sweep": {"seeds": list(seeds)}}


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.config = tempfile.mkdtemp()
        os.environ["SPARSELAB_CONFIG"] = self.config
        self.lab = Client(URL, TOKEN)

    def test_catalog_lists_the_methods(self):
        names = {m["name"] for m in self.lab.catalog()["methods"]}
        self.assertTrue({"magnitude", "rigl", "set", "gmp"} <= names, names)

    def test_submit_wait_show_metrics_compare(self):
        created = self.lab.submit(spec("python client"))
        self.assertEqual(2, len(created["runs"]))
        seen = []
        runs = self.lab.wait(created["id"], timeout=180, progress=seen.append)
        self.assertTrue(seen)
        self.assertEqual({"SUCCEEDED"}, {r["status"] for r in runs})
        run = self.lab.show(runs[0]["id"])
        self.assertAlmostEqual(0.5, run["evaluation"]["sparsity"], places=2)
        series = {s["name"] for s in self.lab.metrics(runs[0]["id"])["series"]}
        self.assertIn("train.loss", series)
        table = self.lab.compare(created["id"])
        self.assertEqual(1, len(table["rows"]))
        self.assertEqual(2, table["rows"][0]["succeeded"])
        csv = self.lab.compare(created["id"], csv=True).strip().splitlines()
        self.assertEqual(2, len(csv), csv)
        self.assertIn("testAccuracy", csv[0])
        # the trained model leaves the platform: its safetensors file names the stored artifact the card gives
        card = self.lab.model_card(runs[0]["id"])
        data = self.lab.model(runs[0]["id"], path=os.path.join(self.config, "model.safetensors"))
        header = safetensors_header(data)
        self.assertEqual(card["artifact"]["sha256"], header["__metadata__"]["sparselab.artifact"])
        self.assertEqual("F32", header["fc1.weight"]["dtype"])
        self.assertEqual("U8", header["fc1.weight_mask"]["dtype"])
        self.assertEqual(data, open(os.path.join(self.config, "model.safetensors"), "rb").read())
        self.assertEqual(["champion"], self.lab.tag(runs[0]["id"], "champion"))
        self.assertEqual(["champion"], self.lab.tag(runs[1]["id"], "champion"))
        self.assertEqual([], self.lab.model_card(runs[0]["id"])["tags"])
        self.lab.untag(runs[1]["id"], "champion")
        with self.assertRaises(SparseLabError) as bad:
            self.lab.model(runs[0]["id"], format="onnx")
        self.assertEqual(400, bad.exception.status)

    def test_a_tpe_search_is_started_and_followed_to_its_pareto_set(self):
        s = spec("python search", seeds=(3,), method="set")
        s["sweep"] = {"search": {"type": "tpe", "budget": 4, "parallelism": 2, "startupTrials": 2, "seed": 9,
                                 "objectives": [{"metric": "testAccuracy"}, {"metric": "sparsity", "mode": "min"}],
                                 "space": {"sparsity.target": {"distribution": "uniform", "low": 0.3, "high": 0.9},
                                           "training.batchSize": {"distribution": "int", "low": 32, "high": 128,
                                                                  "step": 32}}}}
        created = self.lab.submit(s)
        self.assertEqual(2, len(created["runs"]))
        seen = []
        report = self.lab.follow_search(created["id"], timeout=300, interval=0.5, progress=seen.append)
        self.assertFalse(report["open"])
        self.assertEqual(4, report["proposed"])
        self.assertTrue(seen)
        for t in report["trials"]:
            self.assertEqual("SUCCEEDED", t["status"], t)
            self.assertIn(t["params"]["training.batchSize"], (32, 64, 96, 128))
            self.assertTrue(0.3 <= t["params"]["sparsity.target"] <= 0.9)
        front = [report["trials"][i] for i in report["front"]]
        self.assertTrue(front and all(t["onFront"] for t in front))

    def test_a_yaml_file_is_submitted_as_yaml(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("name: from yaml\ndataset: {name: synthetic}\nmodel: {type: mlp, hidden: [12]}\n"
                    "training: {epochs: 1}\nsparsity: {method: dense}\n")
        created = self.lab.submit(f.name)
        self.assertEqual("from yaml", created["name"])
        self.lab.wait(created["id"], timeout=180)

    def test_an_invalid_spec_raises_with_each_bad_field(self):
        bad = spec("bad", epochs=0)
        bad["sparsity"]["target"] = 1.5
        with self.assertRaises(SparseLabError) as e:
            self.lab.submit(bad)
        self.assertEqual(400, e.exception.status)
        pointers = {x["pointer"] for x in e.exception.errors}
        self.assertEqual({"/training/epochs", "/sparsity/target"}, pointers)
        self.assertIn("/training/epochs", str(e.exception))

    def test_cancel_an_experiment(self):
        created = self.lab.submit(spec("to cancel", epochs=200, seeds=(1, 2, 3), hidden=(256, 256)))
        self.lab.cancel(experiment=created["id"])
        runs = self.lab.wait(created["id"], timeout=120)
        self.assertEqual({"CANCELLED"}, {r["status"] for r in runs})

    def test_login_with_a_password_saves_a_token_only_the_user_reads(self):
        client = Client.login(URL, "admin", os.environ["SPARSELAB_PASSWORD"], token_name="python test")
        path = sparselab.credentials_file()
        self.assertEqual(stat.S_IRUSR | stat.S_IWUSR, stat.S_IMODE(os.stat(path).st_mode))
        self.assertTrue(client.token.startswith("slt_"))
        # a new client with no arguments uses what was saved
        os.environ.pop("SPARSELAB_TOKEN", None)
        os.environ.pop("SPARSELAB_URL", None)
        self.assertEqual("admin", Client().me()["username"])
        os.environ["SPARSELAB_TOKEN"] = TOKEN
        os.environ["SPARSELAB_URL"] = URL

    def test_wrong_password_and_unknown_token_are_refused(self):
        with self.assertRaises(SparseLabError) as e:
            Client.login(URL, "admin", "not the password", save=False)
        self.assertEqual(401, e.exception.status)
        with self.assertRaises(SparseLabError) as e:
            Client(URL, "slt_unknown").runs()
        self.assertEqual(401, e.exception.status)

    def test_the_command_line_verbs(self):
        out = io.StringIO()
        with redirect_stdout(out):
            self.assertEqual(0, sparselab.main(["--url", URL, "--token", TOKEN, "catalog"]))
            self.assertEqual(0, sparselab.main(["--url", URL, "--token", TOKEN, "runs", "--limit", "3"]))
        self.assertIn("rigl", out.getvalue())
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(spec("cli watch", seeds=(7,)), f)
        out = io.StringIO()
        with redirect_stdout(out):
            self.assertEqual(0, sparselab.main(["--url", URL, "--token", TOKEN, "submit", f.name, "--watch"]))
        self.assertIn("SUCCEEDED", out.getvalue())
        self.assertIn("[####################] 100%", out.getvalue())
        self.assertEqual(3, sparselab.main(["--url", "http://127.0.0.1:9", "--token", TOKEN, "runs"]))


if __name__ == "__main__":
    unittest.main()
