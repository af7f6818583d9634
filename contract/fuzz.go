package contract

func fuzzChecks() []Check { return nil }
