"""Thin adapters between Discord and the services: parse options, call a service, render, reply."""
