// Runs before every test file. Suite-wide checks (the Harbor spec contract) register here.
export {}
