import hashlib
import hmac

import duckdb
import pytest

from sinergi.targeting.pseudonym import Pseudonymiser, parse_key

H, E = bytes(range(32)), bytes(range(32, 64))


def test_hash_is_keyed_hmac_sha256():
    p = Pseudonymiser(H, E)
    assert (
        p.hash("1607050107800001") == hmac.new(H, b"1607050107800001", hashlib.sha256).hexdigest()
    )
    assert p.hash("1607050107800001") != Pseudonymiser(E, H).hash("1607050107800001")
    assert p.hash("1607050107800001") != hashlib.sha256(b"1607050107800001").hexdigest()


@pytest.mark.parametrize("value", ["1607050107800001", "", "x" * 200])
def test_sql_hash_equals_python_hash(value):
    p = Pseudonymiser(H, E)
    (got,) = duckdb.connect().execute(f"SELECT {p.hash_sql('$v')}", {"v": value}).fetchall()[0]
    assert got == p.hash(value)


def test_encrypt_round_trip_with_random_nonce():
    p = Pseudonymiser(H, E)
    a, b = p.encrypt("1607050107800001"), p.encrypt("1607050107800001")
    assert a != b and "1607050107800001" not in a
    assert p.decrypt(a) == p.decrypt(b) == "1607050107800001"
    assert [p.decrypt(t) for t in p.encrypt_many(["1", "2"])] == ["1", "2"]
    assert p.encrypt_many([None]) == [None]


def test_other_key_or_tampered_token_cannot_decrypt():
    token = Pseudonymiser(H, E).encrypt("1607050107800001")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        Pseudonymiser(H, bytes(32)).decrypt(token)
    with pytest.raises(ValueError):
        Pseudonymiser(H, E).decrypt(token[:-4] + "AAAA")


def test_keys_are_checked_and_hidden():
    assert parse_key("ab" * 32) == bytes([0xAB]) * 32
    with pytest.raises(ValueError, match="32 bytes"):
        parse_key("abc")
    with pytest.raises(ValueError, match="must differ"):
        Pseudonymiser(H, H)
    assert "00" not in repr(Pseudonymiser(H, E))


def test_hash_many_equals_hash():
    p = Pseudonymiser(H, E)
    values = ["1607050107800001", None, "", "9" * 16]
    assert p.hash_many(values) == [None if v is None else p.hash(v) for v in values]


def test_encrypt_and_hash_arrays_round_trip_with_nulls_and_other_lengths():
    import pyarrow as pa

    p = Pseudonymiser(H, E)
    values = ["1607050107800001", None, "123", "", "9" * 16, "1607050107800001", "x" * 17]
    tokens = p.encrypt_array(pa.chunked_array([values[:3], values[3:]])).to_pylist()
    assert [None if t is None else p.decrypt(t) for t in tokens] == values
    assert tokens[0] != tokens[5]  # a fresh nonce per value
    assert p.hash_array(pa.array(values)).to_pylist() == [
        None if v is None else p.hash(v) for v in values
    ]
    assert p.encrypt_array(pa.array([], pa.string())).to_pylist() == []
    assert p.hash_array(pa.array([None], pa.string())).to_pylist() == [None]
    with pytest.raises(ValueError):
        Pseudonymiser(H, bytes(32)).decrypt(tokens[0])
