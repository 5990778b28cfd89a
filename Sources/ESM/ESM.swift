// ESM
