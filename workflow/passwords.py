"""Password hashing with argon2id: a password is never stored, logged or audited in clear."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["HASHER", "hash_password", "verify_password", "needs_rehash"]

# argon2id with the library's defaults, RFC 9106's low-memory profile (t=3, 64 MiB, 4 lanes):
# about 0.4 s a hash on a 2-core machine, which is also what a guess costs an attacker
HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Does `password` match the `stored` hash? False for a wrong password or a hash that is not argon2."""
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Was `stored` made with weaker parameters than today's (so it should be made anew at the next sign-in)?"""
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True
