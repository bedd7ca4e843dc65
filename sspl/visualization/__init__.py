from .localization_visualizer import (LocalizationVisualizer, heatmap_to_rgb, map_peak,
                                      overlay_heatmap)

__all__ = ['LocalizationVisualizer', 'heatmap_to_rgb', 'map_peak', 'overlay_heatmap']
