"""Tone: VADER (vader), the news-trained model (model, train), article and sentence sentiment (sentiment), tone
toward a named target (target), and which measure a view shows and where the two disagree (measure).
"""
