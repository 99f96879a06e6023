"""Thin Telegram handlers: parse the update, call the engine, render the answer, reply."""
