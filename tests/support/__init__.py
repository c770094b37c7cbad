"""Shared test support: local peers (moto, a Momento gRPC server), keys, tool lookup."""
