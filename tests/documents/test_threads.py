import threading

from .pdfcheck import compact, page_texts
from .samples import form_sample, gongwen_sample


def test_two_threads_build_at_once(registry):
    docs = {"gongwen": gongwen_sample(registry), "form": form_sample(registry, rows=80),
            "form2": form_sample(registry, rows=80)}
    expected = {k: compact("".join(page_texts(d.build()))) for k, d in docs.items()}
    results, errors = {}, []
    barrier = threading.Barrier(len(docs))

    def work(key):
        try:
            barrier.wait()
            results[key] = docs[key].build()
        except Exception as exc:  # noqa: BLE001 - any failure is reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for key, data in results.items():
        assert compact("".join(page_texts(data))) == expected[key]
