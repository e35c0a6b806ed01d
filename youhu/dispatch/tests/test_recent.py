"""The bounded memory of the duplicate search's texts and n-gram counts."""

import threading

from youhu.dispatch.recent import Recent


def test_only_missing_keys_are_computed_and_the_least_recently_used_go_first():
    asked: list[list[int]] = []

    def square(keys):
        asked.append(keys)
        return {k: k * k for k in keys if k != 13}  # 13: gone meanwhile

    recent = Recent(3)
    assert recent.get_many([2, 3, 2, 13], square) == {2: 4, 3: 9}
    assert list(recent.get_many([3, 2, 13], square)) == [3, 2]  # in the order asked
    assert asked == [[2, 3, 13], [13]]
    recent.put_many({5: 25})
    recent.get_many([4], square)  # 3 is the least recently used of 3, 2, 5: forgotten
    assert len(recent) == 3
    recent.get_many([2, 5, 3], square)
    assert asked[-1] == [3]


def test_threads_share_it_without_losing_a_value():
    recent: Recent[int, int] = Recent(8)
    failures: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(2000):
                keys = [(offset + i + j) % 40 for j in range(5)]
                assert recent.get_many(keys, lambda ks: {k: -k for k in ks}) == {k: -k for k in keys}
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and len(recent) <= 8
