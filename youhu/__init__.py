"""Youhu (有呼必应): command-and-dispatch platform for a city district."""
