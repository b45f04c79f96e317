"""The "Try it" form of a model version in a real JupyterLab: it starts from the version's
input example, predicts through the server extension, and shows the server's message for
a request that does not fit. Light and dark screenshots."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from lab_helpers import set_theme

pytestmark = pytest.mark.ui

TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def model(lab_server):
    """A model registered in the store the lab server reads (this process shares it)."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from mlops_lab.models import api

    X = pd.DataFrame({"tenure": [1.0, 20.0, 3.0, 40.0], "calls": [5, 0, 7, 1]})
    clf = LogisticRegression().fit(X, [1, 0, 1, 0])
    name = f"<img src=x onerror=alert(1)> tryit-{uuid.uuid4().hex[:6]}"
    api.register_model(clf, name, input_example=X)
    return name, X, clf


def test_try_it_predicts_and_shows_the_servers_message(lab_server, lab_page, model, screenshot):
    name, X, clf = model
    base_url, token = lab_server
    with lab_page(base_url, token) as page:
        set_theme(page, "JupyterLab Light", True)
        page.evaluate("name => window.jupyterapp.commands.execute('mlops-lab:open-model', "
                      "{name, version: 1})", name)
        view = page.locator(".lm-DockPanel-widget:visible [data-testid=mlops-lab-model-view]")
        form = view.locator(".mlops-lab-tryit")
        expect(form).to_be_visible(timeout=TIMEOUT_MS)
        box = form.get_by_test_id("mlops-lab-tryit-input")
        # It starts from the version's input example (its first row), not from zeros.
        expect(box).to_have_value(json.dumps({"records": [{"tenure": 1, "calls": 5}]},
                                             indent=2), timeout=TIMEOUT_MS)
        expect(form).to_contain_text("tenure (float64)")
        # What "trusted types" means, in plain words.
        expect(view.get_by_test_id("mlops-lab-trusted-types")).to_have_text(
            "None needed: the file holds only classes skops loads safely by itself.")

        box.fill(json.dumps({"records": X.to_dict("records")}))
        form.get_by_test_id("mlops-lab-tryit-predict").click()
        result = form.get_by_test_id("mlops-lab-tryit-result")
        expect(result).to_contain_text("version 1", timeout=TIMEOUT_MS)
        shown = json.loads(result.locator("pre").inner_text())
        assert shown == clf.predict(X).tolist()
        form.scroll_into_view_if_needed()
        screenshot(page, "serving-01-try-it-light")

        box.fill('{"records": [{"tenure": "long", "calls": 1}]}')
        form.get_by_test_id("mlops-lab-tryit-predict").click()
        error = form.get_by_test_id("mlops-lab-tryit-error")
        expect(error).to_have_text("InvalidInput: Column 'tenure', row 0: expected a number "
                                   "(float64), got the text 'long'.", timeout=TIMEOUT_MS)
        expect(result).to_have_count(0)

        box.fill("{not json")
        form.get_by_test_id("mlops-lab-tryit-predict").click()
        expect(error).to_contain_text("The request is not valid JSON")
        set_theme(page, "JupyterLab Dark", False)
        form.scroll_into_view_if_needed()
        screenshot(page, "serving-02-try-it-error-dark")
        set_theme(page, "JupyterLab Light", True)
        assert page.dialogs == []
