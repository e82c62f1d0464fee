"""The Kemendagri region hierarchy: country > province > regency > kecamatan > desa."""
