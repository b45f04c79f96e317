"""The composition root: one instance of each part per store, built lazily, replaceable."""

import threading

from mlops_lab import store as store_module
from mlops_lab.services import Services, services, services_for
from mlops_lab.tracking.service import TrackingService


def test_one_services_per_store_and_one_instance_per_part(tmp_path, monkeypatch):
    monkeypatch.setenv("MLOPS_LAB_HOME", str(tmp_path / ".mlops-lab"))
    monkeypatch.chdir(tmp_path)
    first = services()
    assert services() is first
    assert services_for(first.store) is first
    assert first.tracking is first.tracking
    assert isinstance(first.tracking, TrackingService)


def test_parts_are_built_once_when_threads_ask_together(tmp_path, monkeypatch):
    monkeypatch.setenv("MLOPS_LAB_HOME", str(tmp_path / ".mlops-lab"))
    root = Services(store_module.open_store())
    seen, barrier = [], threading.Barrier(8)

    def ask():
        barrier.wait()
        seen.append(root.tracking)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in seen}) == 1


def test_a_part_is_replaced_by_naming_another_class(tmp_path, monkeypatch):
    monkeypatch.setenv("MLOPS_LAB_HOME", str(tmp_path / ".mlops-lab"))

    class Recording(TrackingService):
        pass

    root = Services(store_module.open_store(), classes={"tracking": Recording})
    assert type(root.tracking) is Recording
    root = Services(store_module.open_store(),
                    classes={"tracking": f"{__name__}:TrackingService"})
    assert type(root.tracking) is TrackingService


def test_a_closed_store_is_not_handed_out_again(tmp_path, monkeypatch):
    monkeypatch.setenv("MLOPS_LAB_HOME", str(tmp_path / ".mlops-lab"))
    monkeypatch.chdir(tmp_path)
    before = services()
    store_module.close_all()
    after = services()
    assert after is not before and after.store is not before.store
